using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

/// <summary>Runs of the Generate OTP wizard: one batch, shown or not, and the codes a stopped run never showed issued again.</summary>
public sealed class OtpRunTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;
    private RoomGroup _group = default!;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync();
        _group = await _h.GroupAsync("HQ");
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_run_is_one_batch_across_its_chunks()
    {
        var accounts = await _h.AccountsAsync(_group, "a@contoso.com", "b@contoso.com", "c@contoso.com");

        var runId = await _h.Otps.StartRunAsync(3, OtpPasswordMode.GeneratePasswords, Admin, Ct);
        var first = await ChunkAsync(runId, accounts[0].Id, accounts[1].Id);
        var second = await ChunkAsync(runId, accounts[2].Id);

        Assert.Equal(runId, first.BatchId);
        Assert.Equal(runId, second.BatchId);
        await using var db = _h.Database.CreateDbContext();
        Assert.All(await db.Set<OneTimePassword>().ToListAsync(Ct), o => Assert.Equal(runId, o.BatchId));
        var run = await _h.Otps.GetRunAsync(runId, AccessScope.All, Ct);
        Assert.Equal((3, 3, OtpRunState.Generating, false), (run!.AccountCount, run.IssuedCount, run.State, run.Stopped));
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.OtpRunStarted));
    }

    [Fact]
    public async Task Codes_of_a_run_that_went_quiet_before_showing_them_are_issued_but_never_shown()
    {
        var accounts = await _h.AccountsAsync(_group, "a@contoso.com", "b@contoso.com");
        var runId = await _h.Otps.StartRunAsync(2, OtpPasswordMode.GeneratePasswords, Admin, Ct);
        await ChunkAsync(runId, accounts[0].Id, accounts[1].Id);

        // Generating right now: not yet "never shown".
        Assert.Empty(await _h.Otps.ListUnseenCodesAsync(runId, AccessScope.All, Ct));
        Assert.Null((await _h.Accounts.GetAsync(accounts[0].Id, AccessScope.All, Ct))!.UnseenCodeRunId);

        // The process was killed: the run never closes, and after a quiet spell its codes count as never shown.
        _h.Time.Advance(OtpRun.StaleAfter);

        var unseen = await _h.Otps.ListUnseenCodesAsync(runId, AccessScope.All, Ct);
        Assert.Equal(["a@contoso.com", "b@contoso.com"], unseen.Select(u => u.Upn));
        Assert.Equal(runId, (await _h.Accounts.GetAsync(accounts[0].Id, AccessScope.All, Ct))!.UnseenCodeRunId);
        Assert.True((await _h.Otps.GetRunAsync(runId, AccessScope.All, Ct))!.Stopped);
        var listed = Assert.Single(await _h.Otps.ListRunsWithUnseenCodesAsync(AccessScope.All, Ct));
        Assert.Equal((runId, 2), (listed.Id, listed.UnseenCount));
    }

    [Fact]
    public async Task An_abandoned_run_shows_its_codes_as_never_shown_at_once_and_closes_to_more_chunks()
    {
        var accounts = await _h.AccountsAsync(_group, "a@contoso.com", "b@contoso.com");
        var runId = await _h.Otps.StartRunAsync(2, OtpPasswordMode.GeneratePasswords, Admin, Ct);
        await ChunkAsync(runId, accounts[0].Id);

        Assert.True(await _h.Otps.AbandonRunAsync(runId, Admin, Ct));

        Assert.Equal(accounts[0].Id, Assert.Single(await _h.Otps.ListUnseenCodesAsync(runId, AccessScope.All, Ct)).AccountId);
        var late = await _h.Otps.GenerateAsync(new OtpBatchRequest([accounts[1].Id], OtpPasswordMode.GeneratePasswords, RunId: runId), Admin, AccessScope.All, Ct);
        Assert.Equal(OtpBatchError.RunClosed, late.Error);
        Assert.False(await _h.Otps.MarkShownAsync(runId, Admin, Ct));
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.OtpRunAbandoned));
    }

    [Fact]
    public async Task Codes_marked_shown_are_never_listed_and_only_the_runs_creator_adds_chunks_or_marks_it()
    {
        var accounts = await _h.AccountsAsync(_group, "a@contoso.com", "b@contoso.com");
        var runId = await _h.Otps.StartRunAsync(2, OtpPasswordMode.GeneratePasswords, Admin, Ct);
        var someoneElse = Actor.User("other-1", "Otto Other");

        var foreign = await _h.Otps.GenerateAsync(new OtpBatchRequest([accounts[0].Id], OtpPasswordMode.GeneratePasswords, RunId: runId), someoneElse, AccessScope.All, Ct);
        await ChunkAsync(runId, accounts[0].Id, accounts[1].Id);
        Assert.False(await _h.Otps.MarkShownAsync(runId, someoneElse, Ct));
        Assert.True(await _h.Otps.MarkShownAsync(runId, Admin, Ct));
        _h.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(OtpBatchError.RunClosed, foreign.Error);
        Assert.Empty(await _h.Otps.ListUnseenCodesAsync(null, AccessScope.All, Ct));
        var run = await _h.Otps.GetRunAsync(runId, AccessScope.All, Ct);
        Assert.Equal((OtpRunState.Completed, (DateTimeOffset?)_h.Time.GetUtcNow().AddHours(-1)), (run!.State, run.ShownAt));
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.OtpRunShown));
    }

    [Fact]
    public async Task Issuing_again_with_kept_passwords_revokes_exactly_the_unseen_codes_and_keeps_the_runs_passwords()
    {
        var accounts = await _h.AccountsAsync(_group, "a@contoso.com", "b@contoso.com", "c@contoso.com");
        var runId = await _h.Otps.StartRunAsync(3, OtpPasswordMode.GeneratePasswords, Admin, Ct);
        var stopped = await ChunkAsync(runId, accounts[0].Id, accounts[1].Id);
        await _h.Otps.AbandonRunAsync(runId, Admin, Ct);
        var unseen = await _h.Otps.ListUnseenCodesAsync(runId, AccessScope.All, Ct);

        var again = await _h.Otps.GenerateAsync(
            new OtpBatchRequest([.. unseen.Select(u => u.AccountId)], OtpPasswordMode.KeepPasswords), Admin, AccessScope.All, Ct);

        Assert.True(again.Succeeded, again.Error.ToString());
        Assert.Equal(
            stopped.Items.OrderBy(i => i.Upn).Select(i => (i.Upn, i.Password)),
            again.Value!.Items.OrderBy(i => i.Upn).Select(i => (i.Upn, i.Password)));
        foreach (var item in stopped.Items)
        {
            Assert.Equal(item.Password, _h.Protector.Unprotect((await _h.AccountRowAsync(item.AccountId)).ProtectedPassword!));
            Assert.Equal(RedeemError.Revoked, (await _h.Approvals.RedeemAsync(item.Code, Console1, null, Ct)).Error);
        }

        await using var db = _h.Database.CreateDbContext();
        var revoked = await db.Set<AuditEntry>().Where(e => e.Operation == AuditOperations.OtpRevoked).Select(e => e.Details!).ToListAsync(Ct);
        Assert.Equal(2, revoked.Count);
        Assert.All(revoked, d => Assert.EndsWith($"replaced by a new code in batch {again.Value.BatchId}", d, StringComparison.Ordinal));
        Assert.Empty(await _h.Otps.ListUnseenCodesAsync(null, AccessScope.All, Ct));
        Assert.Null((await _h.Accounts.GetAsync(accounts[0].Id, AccessScope.All, Ct))!.UnseenCodeRunId);
    }

    [Fact]
    public async Task Keeping_passwords_needs_an_account_that_has_one()
    {
        await _h.Accounts.ImportAsync("upn,display name,room group\nbare@contoso.com,Bare,HQ\n", Admin, AccessScope.All, Ct);
        var bare = (await _h.Accounts.ListAsync(new ResourceAccountQuery("bare"), AccessScope.All, Ct)).Items.Single();

        var result = await _h.Otps.GenerateAsync(new OtpBatchRequest([bare.Id], OtpPasswordMode.KeepPasswords), Admin, AccessScope.All, Ct);

        Assert.Equal(OtpBatchError.NoPasswordToKeep, result.Error);
    }

    [Fact]
    public async Task Unseen_codes_and_runs_are_listed_within_the_callers_scope_only()
    {
        var branch = await _h.GroupAsync("Branch");
        var hq = (await _h.AccountsAsync(_group, "hq@contoso.com"))[0];
        var other = (await _h.AccountsAsync(branch, "branch@contoso.com"))[0];
        var runId = await _h.Otps.StartRunAsync(2, OtpPasswordMode.GeneratePasswords, Admin, Ct);
        await ChunkAsync(runId, hq.Id, other.Id);
        await _h.Otps.AbandonRunAsync(runId, Admin, Ct);
        var branchOnly = AccessScope.ForRoomGroups([branch.Id]);
        var nowhere = AccessScope.ForRoomGroups([Guid.NewGuid()]);

        Assert.Equal(["branch@contoso.com"], (await _h.Otps.ListUnseenCodesAsync(runId, branchOnly, Ct)).Select(u => u.Upn));
        Assert.Equal(1, Assert.Single(await _h.Otps.ListRunsWithUnseenCodesAsync(branchOnly, Ct)).UnseenCount);
        Assert.Null(await _h.Otps.GetRunAsync(runId, nowhere, Ct));
        Assert.Empty(await _h.Otps.ListRunsWithUnseenCodesAsync(nowhere, Ct));
    }

    [Fact]
    public async Task A_batch_generated_without_a_run_is_a_run_of_its_own_delivered_with_the_result()
    {
        var account = (await _h.AccountsAsync(_group, "a@contoso.com"))[0];

        var batch = await _h.GenerateAsync(account.Id);
        _h.Time.Advance(TimeSpan.FromHours(1));

        var run = await _h.Otps.GetRunAsync(batch.BatchId, AccessScope.All, Ct);
        Assert.Equal((OtpRunState.Completed, 1, 1), (run!.State, run.AccountCount, run.IssuedCount));
        Assert.Empty(await _h.Otps.ListUnseenCodesAsync(null, AccessScope.All, Ct));
    }

    [Fact]
    public async Task Used_and_expired_codes_of_a_stopped_run_are_not_listed()
    {
        var accounts = await _h.AccountsAsync(_group, "a@contoso.com", "b@contoso.com");
        var runId = await _h.Otps.StartRunAsync(2, OtpPasswordMode.GeneratePasswords, Admin, Ct);
        var chunk = await ChunkAsync(runId, accounts[0].Id, accounts[1].Id);
        await _h.Otps.AbandonRunAsync(runId, Admin, Ct);

        await _h.Approvals.RedeemAsync(chunk.Items.Single(i => i.AccountId == accounts[0].Id).Code, Console1, null, Ct);
        Assert.Equal(["b@contoso.com"], (await _h.Otps.ListUnseenCodesAsync(runId, AccessScope.All, Ct)).Select(u => u.Upn));
        _h.Time.Advance(TimeSpan.FromHours(8));
        Assert.Empty(await _h.Otps.ListUnseenCodesAsync(runId, AccessScope.All, Ct));
    }

    private async Task<OtpBatch> ChunkAsync(Guid runId, params Guid[] accountIds)
    {
        var result = await _h.Otps.GenerateAsync(
            new OtpBatchRequest(accountIds, OtpPasswordMode.GeneratePasswords, RunId: runId), Admin, AccessScope.All, Ct);
        Assert.True(result.Succeeded, result.Error.ToString());
        return result.Value!;
    }
}
