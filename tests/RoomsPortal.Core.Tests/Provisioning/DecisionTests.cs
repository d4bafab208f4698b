using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

public sealed class DecisionTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    private async Task<(Guid GroupId, Guid AccountId, Guid RequestId)> PendingAsync()
    {
        var (group, account, otp) = await _h.OneOtpAsync();
        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, Console1, "10.0.0.5", Ct);
        return (group.Id, account.Id, redeemed.Value!.RequestId);
    }

    [Fact]
    public async Task Approving_a_request_whose_account_was_disabled_meanwhile_is_refused_and_rejecting_still_works()
    {
        var (_, accountId, requestId) = await PendingAsync();
        var disabled = await _h.Accounts.SetEnabledAsync(accountId, false, Admin, AccessScope.All, Ct);
        Assert.True(disabled.Succeeded);

        var approve = await _h.Approvals.ApproveAsync(requestId, Admin, AccessScope.All, Ct);
        var reject = await _h.Approvals.RejectAsync(requestId, RejectReason.SecurityConcern, null, Admin, AccessScope.All, Ct);

        Assert.Equal(DecisionError.AccountDisabled, approve.Error);
        Assert.Equal(ApprovalStatus.Rejected, reject.Value!.Status);
        await using var db = _h.Database.CreateDbContext();
        Assert.Equal(0, await db.Set<Device>().CountAsync(Ct));
    }

    [Fact]
    public async Task Approve_provisions_the_device_and_the_account()
    {
        var (groupId, accountId, requestId) = await PendingAsync();

        var result = await _h.Approvals.ApproveAsync(requestId, Admin, AccessScope.All, Ct);

        Assert.Equal(ApprovalStatus.Approved, result.Value!.Status);
        Assert.Equal(ProvisioningStatus.Provisioned, (await _h.AccountRowAsync(accountId)).ProvisioningStatus);
        await using var db = _h.Database.CreateDbContext();
        var device = await db.Set<Device>().SingleAsync(Ct);
        Assert.Equal((result.Value.DeviceId, (Guid?)groupId, "SN-0001", ProvisioningMethod.Otp), ((Guid?)device.Id, device.RoomGroupId, device.Serial, device.Method));
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.RequestApproved));
    }

    [Fact]
    public async Task Reject_records_the_reason_and_the_console_sees_it()
    {
        var (_, accountId, requestId) = await PendingAsync();

        var result = await _h.Approvals.RejectAsync(requestId, RejectReason.WrongRoom, "Room 4.12, not 4.21", Admin, AccessScope.All, Ct);
        var status = await _h.Approvals.GetStatusForDeviceAsync(requestId, Console1.Key, Ct);

        Assert.Equal(ApprovalStatus.Rejected, result.Value!.Status);
        Assert.Equal((ConsoleSetupStatus.Rejected, RejectReason.WrongRoom, "Room 4.12, not 4.21"), (status.Value!.Status, status.Value.RejectReason, status.Value.RejectNote));
        Assert.Equal(ProvisioningStatus.None, (await _h.AccountRowAsync(accountId)).ProvisioningStatus);
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.RequestRejected));
    }

    [Theory]
    [InlineData(RejectReason.Other, null)]
    [InlineData(RejectReason.Other, "   ")]
    [InlineData((RejectReason)42, "note")]
    [InlineData(RejectReason.Superseded, "note")]
    public async Task Reject_needs_a_known_reason_and_a_note_for_other(RejectReason reason, string? note)
    {
        var (_, _, requestId) = await PendingAsync();

        var result = await _h.Approvals.RejectAsync(requestId, reason, note, Admin, AccessScope.All, Ct);

        Assert.Equal(DecisionError.InvalidReason, result.Error);
    }

    [Fact]
    public async Task Reject_note_is_at_most_500_characters()
    {
        var (_, _, requestId) = await PendingAsync();

        var tooLong = await _h.Approvals.RejectAsync(requestId, RejectReason.SecurityConcern, new string('x', 501), Admin, AccessScope.All, Ct);
        var longest = await _h.Approvals.RejectAsync(requestId, RejectReason.SecurityConcern, new string('x', 500), Admin, AccessScope.All, Ct);

        Assert.Equal(DecisionError.InvalidReason, tooLong.Error);
        Assert.True(longest.Succeeded);
    }

    [Fact]
    public async Task Approve_out_of_scope_is_not_found()
    {
        var (_, _, requestId) = await PendingAsync();
        var other = await _h.GroupAsync("Building 2");

        var result = await _h.Approvals.ApproveAsync(requestId, Admin, AccessScope.ForRoomGroups([other.Id]), Ct);

        Assert.Equal(DecisionError.NotFound, result.Error);
        var queue = await _h.Approvals.ListAsync(new ApprovalQuery(), AccessScope.ForRoomGroups([other.Id]), Ct);
        Assert.Empty(queue.Items);
    }

    [Fact]
    public async Task Approve_in_scope_succeeds()
    {
        var (groupId, _, requestId) = await PendingAsync();

        var result = await _h.Approvals.ApproveAsync(requestId, Admin, AccessScope.ForRoomGroups([groupId]), Ct);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Second_decision_is_already_decided()
    {
        var (_, _, requestId) = await PendingAsync();
        await _h.Approvals.ApproveAsync(requestId, Admin, AccessScope.All, Ct);

        var reject = await _h.Approvals.RejectAsync(requestId, RejectReason.DuplicateRequest, null, Admin, AccessScope.All, Ct);

        Assert.Equal(DecisionError.AlreadyDecided, reject.Error);
    }

    [Fact]
    public async Task Pending_request_expires_with_its_otp_when_decided_late()
    {
        var (_, accountId, requestId) = await PendingAsync();
        _h.Time.Advance(TimeSpan.FromHours(8));

        var result = await _h.Approvals.ApproveAsync(requestId, Admin, AccessScope.All, Ct);
        var status = await _h.Approvals.GetStatusForDeviceAsync(requestId, Console1.Key, Ct);

        Assert.Equal(DecisionError.Expired, result.Error);
        Assert.Equal(ConsoleSetupStatus.Expired, status.Value!.Status);
        Assert.Equal(ProvisioningStatus.None, (await _h.AccountRowAsync(accountId)).ProvisioningStatus);
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.RequestExpired));
    }

    [Fact]
    public async Task Expire_due_marks_only_requests_past_their_expiry()
    {
        var (_, _, first) = await PendingAsync();
        _h.Time.Advance(TimeSpan.FromHours(4));
        var group = await _h.GroupAsync("Building 9");
        var account = (await _h.AccountsAsync(group, "late@example.com"))[0];
        var otp = (await _h.GenerateAsync(account.Id)).Items[0];
        var second = (await _h.Approvals.RedeemAsync(otp.Code, Console2, null, Ct)).Value!.RequestId;
        _h.Time.Advance(TimeSpan.FromHours(4));

        var expired = await _h.Approvals.ExpireDueAsync(Ct);

        Assert.Equal(1, expired);
        var list = await _h.Approvals.ListAsync(new ApprovalQuery(Sort: ApprovalSort.RequestedOldestFirst), AccessScope.All, Ct);
        Assert.Equal([(first, ApprovalStatus.Expired), (second, ApprovalStatus.Pending)], list.Items.Select(i => (i.Id, i.Status)));
    }

    [Fact]
    public async Task Queue_filters_by_status_and_account_and_pages()
    {
        var group = await _h.GroupAsync("Campus");
        var accounts = await _h.AccountsAsync(group, "a@example.com", "b@example.com", "c@example.com");
        var batch = await _h.GenerateAsync([.. accounts.Select(a => a.Id)]);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await _h.Approvals.RedeemAsync(batch.Items[i].Code, Console1 with { Serial = $"SN-Q{i}" }, null, Ct)).Value!.RequestId);
            _h.Time.Advance(TimeSpan.FromMinutes(1));
        }

        await _h.Approvals.ApproveAsync(ids[0], Admin, AccessScope.All, Ct);

        var pending = await _h.Approvals.ListAsync(new ApprovalQuery(Status: ApprovalStatus.Pending, PageSize: 1), AccessScope.All, Ct);
        var forAccount = await _h.Approvals.ListAsync(new ApprovalQuery(AccountId: batch.Items[1].AccountId), AccessScope.All, Ct);

        Assert.Equal(2, pending.TotalCount);
        Assert.Equal(ids[2], Assert.Single(pending.Items).Id);
        Assert.Equal(ids[1], Assert.Single(forAccount.Items).Id);
    }

    [Theory]
    [InlineData(ApprovalSort.RequestedNewestFirst)]
    [InlineData(ApprovalSort.RequestedOldestFirst)]
    [InlineData(ApprovalSort.ExpiresSoonestFirst)]
    public async Task Requests_of_the_same_instant_page_through_once_each(ApprovalSort sort)
    {
        // One batch (one expiry) redeemed within one clock tick: every sort key ties, and a page of one at a time
        // must still give each request once.
        var group = await _h.GroupAsync("Campus");
        var accounts = await _h.AccountsAsync(group, [.. Enumerable.Range(1, 8).Select(i => $"tie{i}@example.com")]);
        var batch = await _h.GenerateAsync([.. accounts.Select(a => a.Id)]);
        var ids = new HashSet<Guid>();
        for (var i = 0; i < batch.Items.Count; i++)
        {
            ids.Add((await _h.Approvals.RedeemAsync(batch.Items[i].Code, Console1 with { Serial = $"SN-TIE{i}" }, null, Ct)).Value!.RequestId);
        }

        var seen = new List<Guid>();
        for (var page = 1; page <= ids.Count; page++)
        {
            var one = await _h.Approvals.ListAsync(new ApprovalQuery(Status: ApprovalStatus.Pending, Sort: sort, Page: page, PageSize: 1), AccessScope.All, Ct);
            seen.Add(Assert.Single(one.Items).Id);
        }

        Assert.Equal(ids.Order(), seen.Order());
    }
}
