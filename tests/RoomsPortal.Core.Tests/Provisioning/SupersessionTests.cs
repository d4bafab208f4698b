using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

/// <summary>A new code or a manual setup replaces the account's outstanding code and its pending request, audited and told.</summary>
public sealed class SupersessionTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_new_code_revokes_the_old_one_with_an_audit_entry_naming_the_new_batch()
    {
        var (_, account, first) = await _h.OneOtpAsync();
        await _h.ClearEventsAsync();

        var second = await _h.GenerateAsync(account.Id);

        var revoked = Assert.Single(await AuditAsync(AuditOperations.OtpRevoked));
        Assert.Equal((account.Upn, Admin.Id), (revoked.Target, revoked.ActorId));
        Assert.StartsWith($"OTP {first.OtpId} of batch ", revoked.Details, StringComparison.Ordinal);
        Assert.EndsWith($"replaced by a new code in batch {second.BatchId}", revoked.Details, StringComparison.Ordinal);
        await _h.DeliveredAsync();
        // The batch's one event covers the code it replaced.
        var batch = Assert.IsType<OtpBatchGenerated>(Assert.Single(_h.Events));
        Assert.Equal(second.BatchId, batch.BatchId);
        Assert.Equal([account.Id], batch.ResourceAccountIds);
        Assert.Equal(RedeemError.Revoked, (await _h.Approvals.RedeemAsync(first.Code, Console1, null, Ct)).Error);
    }

    [Fact]
    public async Task An_expired_code_is_left_expired_and_not_audited_as_revoked()
    {
        var (_, account, _) = await _h.OneOtpAsync();
        _h.Time.Advance(TimeSpan.FromHours(9));

        await _h.GenerateAsync(account.Id);

        Assert.Empty(await AuditAsync(AuditOperations.OtpRevoked));
        var history = await _h.Otps.ListForAccountAsync(account.Id, AccessScope.All, Ct);
        Assert.Equal([OtpState.Active, OtpState.Expired], history.Select(h => h.State));
    }

    [Fact]
    public async Task A_new_code_closes_the_earlier_pending_request_as_superseded_and_the_console_is_told_after_the_commit()
    {
        var (_, account, first) = await _h.OneOtpAsync();
        var requestId = (await _h.Approvals.RedeemAsync(first.Code, Console2, "10.0.0.9", Ct)).Value!.RequestId;
        ConsoleSetupStatus? seenByTheConsole = null;
        using var console = _h.Notifier.Subscribe(async e =>
        {
            if (e is ApprovalRequestChanged change && change.RequestId == requestId)
            {
                // What a console reads when the push arrives: the commit must already be visible.
                seenByTheConsole = (await _h.Approvals.GetStatusForDeviceAsync(requestId, Console2.Key, Ct)).Value!.Status;
            }
        });

        var second = await _h.GenerateAsync(account.Id);
        await _h.DeliveredAsync();

        Assert.Equal(ConsoleSetupStatus.Rejected, seenByTheConsole);
        var status = (await _h.Approvals.GetStatusForDeviceAsync(requestId, Console2.Key, Ct)).Value!;
        Assert.Equal((ConsoleSetupStatus.Rejected, RejectReason.Superseded, $"Replaced by a new code in batch {second.BatchId}."),
            (status.Status, status.RejectReason, status.RejectNote));
        var closed = Assert.Single(await AuditAsync(AuditOperations.RequestSuperseded));
        Assert.Contains($"Request {requestId} of console {Console2.Serial} closed", closed.Details, StringComparison.Ordinal);
        Assert.Contains(_h.Events, e => e is ApprovalRequestChanged { Status: ApprovalStatus.Rejected } c && c.RequestId == requestId);
        Assert.Equal(ProvisioningStatus.OtpIssued, (await _h.AccountRowAsync(account.Id)).ProvisioningStatus);
        Assert.Equal(DecisionError.AlreadyDecided, (await _h.Approvals.ApproveAsync(requestId, Admin, AccessScope.All, Ct)).Error);
    }

    [Fact]
    public async Task Decided_requests_and_other_accounts_requests_are_left_alone()
    {
        var group = await _h.GroupAsync("HQ");
        var accounts = await _h.AccountsAsync(group, "a@contoso.com", "b@contoso.com");
        var batch = await _h.GenerateAsync([.. accounts.Select(a => a.Id)]);
        var approved = (await _h.Approvals.RedeemAsync(batch.Items.Single(i => i.AccountId == accounts[0].Id).Code, Console1, null, Ct)).Value!.RequestId;
        await _h.Approvals.ApproveAsync(approved, Admin, AccessScope.All, Ct);
        var pendingElsewhere = (await _h.Approvals.RedeemAsync(batch.Items.Single(i => i.AccountId == accounts[1].Id).Code, Console2, null, Ct)).Value!.RequestId;

        await _h.GenerateAsync(accounts[0].Id);

        Assert.Equal(ConsoleSetupStatus.Approved, (await _h.Approvals.GetStatusForDeviceAsync(approved, Console1.Key, Ct)).Value!.Status);
        Assert.Equal(ConsoleSetupStatus.Pending, (await _h.Approvals.GetStatusForDeviceAsync(pendingElsewhere, Console2.Key, Ct)).Value!.Status);
        Assert.Empty(await AuditAsync(AuditOperations.RequestSuperseded));
    }

    [Fact]
    public async Task Manual_setup_revokes_the_accounts_outstanding_code_audited()
    {
        var (_, account, otp) = await _h.OneOtpAsync();
        var password = otp.Password;
        await _h.ClearEventsAsync();

        var manual = await _h.ManualSetup.ManualSignInAsync(account.Upn, password, Console1, "10.0.0.7", Ct);

        Assert.True(manual.Succeeded);
        var revoked = Assert.Single(await AuditAsync(AuditOperations.OtpRevoked));
        Assert.Equal(Console1.Actor.Id, revoked.ActorId);
        Assert.EndsWith($"replaced by manual setup on console {Console1.Serial}", revoked.Details, StringComparison.Ordinal);
        await _h.DeliveredAsync();
        Assert.Contains(_h.Events, e => e is OtpChanged { Change: "Revoked" } c && c.OtpId == otp.OtpId);
        Assert.Equal(RedeemError.Revoked, (await _h.Approvals.RedeemAsync(otp.Code, Console2, null, Ct)).Error);
    }

    [Fact]
    public async Task Manual_setup_closes_a_pending_request_another_console_made_for_the_account()
    {
        var (_, account, otp) = await _h.OneOtpAsync();
        var requestId = (await _h.Approvals.RedeemAsync(otp.Code, Console2, null, Ct)).Value!.RequestId;

        var manual = await _h.ManualSetup.ManualSignInAsync(account.Upn, otp.Password, Console1, null, Ct);

        Assert.True(manual.Succeeded);
        var status = (await _h.Approvals.GetStatusForDeviceAsync(requestId, Console2.Key, Ct)).Value!;
        Assert.Equal((ConsoleSetupStatus.Rejected, RejectReason.Superseded, $"Replaced by manual setup on console {Console1.Serial}."),
            (status.Status, status.RejectReason, status.RejectNote));
        await _h.DeliveredAsync();
        Assert.Contains(_h.Events, e => e is ApprovalRequestChanged { Status: ApprovalStatus.Rejected } c && c.RequestId == requestId);
        Assert.Equal(ProvisioningStatus.Provisioned, (await _h.AccountRowAsync(account.Id)).ProvisioningStatus);
    }

    [Fact]
    public async Task A_redemption_racing_a_new_code_ends_either_redeemed_and_superseded_or_revoked()
    {
        var (_, account, first) = await _h.OneOtpAsync();

        var redeem = _h.Approvals.RedeemAsync(first.Code, Console1, null, Ct);
        var generate = _h.Otps.GenerateAsync(new OtpBatchRequest([account.Id], OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, Ct);
        await Task.WhenAll(redeem, generate);

        Assert.True((await generate).Succeeded);
        var redeemed = await redeem;
        if (redeemed.Succeeded)
        {
            var status = (await _h.Approvals.GetStatusForDeviceAsync(redeemed.Value!.RequestId, Console1.Key, Ct)).Value!;
            Assert.Equal((ConsoleSetupStatus.Rejected, RejectReason.Superseded), (status.Status, status.RejectReason));
            Assert.Empty(await AuditAsync(AuditOperations.OtpRevoked));
        }
        else
        {
            Assert.Equal(RedeemError.Revoked, redeemed.Error);
            Assert.Single(await AuditAsync(AuditOperations.OtpRevoked));
        }
    }

    private async Task<List<AuditEntry>> AuditAsync(string operation)
    {
        await using var db = _h.Database.CreateDbContext();
        return await db.Set<AuditEntry>().Where(e => e.Operation == operation).ToListAsync(Ct);
    }
}
