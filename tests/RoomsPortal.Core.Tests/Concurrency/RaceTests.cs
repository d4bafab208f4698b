using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Concurrency;

/// <summary>
/// Races on real concurrent connections. On PostgreSQL (the second run of this suite) an <see cref="ArrivalGate"/>
/// holds the racing transactions at the guarded statement until they are all there, and a <see cref="GuardProbe"/>
/// shows the guard turned the losers away. On SQLite writers queue at BEGIN IMMEDIATE, so only the outcome is checked.
/// </summary>
public sealed class RaceTests
{
    private static bool ConcurrentWriters => TestDatabase.Provider == TestProvider.PostgreSql;

    private static (ArrivalGate Gate, IInterceptor[] Interceptors) Gate(string sqlFragment, int parties)
    {
        var gate = new ArrivalGate(sqlFragment, parties);
        return (gate, ConcurrentWriters ? [gate] : []);
    }

    [Fact]
    public async Task Fifty_parallel_redemptions_of_one_code_give_exactly_one_request()
    {
        var (gate, interceptors) = Gate("UPDATE \"OneTimePassword\" ", 2);
        await using var h = await CreateAsync(interceptors);
        var (_, _, otp) = await h.OneOtpAsync();
        var devices = Enumerable.Range(0, 50).Select(i => Console1 with { Serial = $"SN-P{i:D3}" }).ToList();
        using var probe = new GuardProbe();
        gate.Arm();

        var results = await Task.WhenAll(devices.Select(d => Task.Run(() => h.Approvals.RedeemAsync(otp.Code, d, null, Ct), Ct)));

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(RedeemError.AlreadyUsed, r.Error));
        await using (var db = h.Database.CreateDbContext())
        {
            Assert.Equal(1, await db.Set<ApprovalRequest>().CountAsync(Ct));
        }

        Assert.Equal(1, await h.AuditCountAsync(AuditOperations.OtpRedeemed));
        Assert.Equal(49, await h.AuditCountAsync(AuditOperations.RedemptionFailed));
        if (ConcurrentWriters)
        {
            Assert.True(gate.Arrived >= 2, $"only {gate.Arrived} transaction(s) reached the gated statement");
            Assert.True(probe.Count("roomsportal.redemption.conflicts/conditional_update") > 0,
                $"no redemption reached the conditional UPDATE (RedeemedAt IS NULL) while another held the code; measured: {probe}");
        }
    }

    [Fact]
    public async Task First_decision_wins_when_approve_and_reject_race()
    {
        var (gate, interceptors) = Gate("UPDATE \"ApprovalRequest\" ", 2);
        await using var h = await CreateAsync(interceptors);
        var (_, _, otp) = await h.OneOtpAsync();
        var requestId = (await h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct)).Value!.RequestId;
        using var probe = new GuardProbe();
        gate.Arm();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(
            () => i % 2 == 0
                ? h.Approvals.ApproveAsync(requestId, Admin, AccessScope.All, Ct)
                : h.Approvals.RejectAsync(requestId, RejectReason.SecurityConcern, null, Admin, AccessScope.All, Ct),
            Ct)));

        var winner = Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(DecisionError.AlreadyDecided, r.Error));
        var list = await h.Approvals.ListAsync(new ApprovalQuery(), AccessScope.All, Ct);
        Assert.Equal(winner.Value!.Status, Assert.Single(list.Items).Status);
        Assert.Equal(1, await h.AuditCountAsync(AuditOperations.RequestApproved) + await h.AuditCountAsync(AuditOperations.RequestRejected));
        await using (var db = h.Database.CreateDbContext())
        {
            Assert.Equal(winner.Value.Status == ApprovalStatus.Approved ? 1 : 0, await db.Set<Device>().CountAsync(Ct));
        }

        if (ConcurrentWriters)
        {
            Assert.True(gate.Arrived >= 2, $"only {gate.Arrived} transaction(s) reached the gated statement");
            Assert.True(probe.Count("roomsportal.decision.conflicts") > 0,
                $"no decision reached the conditional UPDATE (Status = Pending) while another was deciding; measured: {probe}");
        }
    }

    [Fact]
    public async Task Two_requests_from_one_new_console_approved_at_once_leave_one_device_row()
    {
        var (gate, interceptors) = Gate("INSERT INTO \"Device\" ", 2);
        await using var h = await CreateAsync(interceptors);
        var group = await h.GroupAsync("Building 1");
        var accounts = await h.AccountsAsync(group, "room1@example.com", "room2@example.com");
        var batch = await h.GenerateAsync([.. accounts.Select(a => a.Id)]);
        var first = (await h.Approvals.RedeemAsync(batch.Items[0].Code, Console1, null, Ct)).Value!.RequestId;
        var second = (await h.Approvals.RedeemAsync(batch.Items[1].Code, Console1, null, Ct)).Value!.RequestId;
        using var probe = new GuardProbe();
        gate.Arm();

        var results = await Task.WhenAll(
            Task.Run(() => h.Approvals.ApproveAsync(first, Admin, AccessScope.All, Ct), Ct),
            Task.Run(() => h.Approvals.ApproveAsync(second, Admin, AccessScope.All, Ct), Ct));

        // Both decisions stand, as they would a moment apart: the device row ends on the account approved last.
        Assert.All(results, r => Assert.Equal(ApprovalStatus.Approved, r.Value!.Status));
        Assert.Equal(2, await h.AuditCountAsync(AuditOperations.RequestApproved));
        await using (var db = h.Database.CreateDbContext())
        {
            var device = await db.Set<Device>().SingleAsync(Ct);
            Assert.Equal(Console1.Key, device.DeviceKey);
            Assert.Contains(device.ResourceAccountId, accounts.Select(a => a.Id));
            Assert.All(results, r => Assert.Equal(device.Id, r.Value!.DeviceId));
        }

        if (ConcurrentWriters)
        {
            Assert.True(gate.Arrived >= 2, $"only {gate.Arrived} transaction(s) reached the gated statement");
            Assert.True(probe.Count("roomsportal.device.upsert_conflicts") > 0,
                "the two approvals never inserted the same device at once");
        }
    }
}
