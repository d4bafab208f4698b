using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

public sealed class OtpGenerationTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public void Codes_are_twelve_characters_of_the_rfc8628_alphabet_in_groups_of_four()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => OtpCode.Generate()).ToList();

        Assert.All(codes, c => Assert.Matches("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", c));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void Otp_key_must_have_at_least_32_bytes() =>
        Assert.Throws<ArgumentException>(() => new StaticOtpKeyProvider(new byte[31]));

    [Fact]
    public async Task Generate_resets_passwords_and_returns_each_code_once()
    {
        var group = await _h.GroupAsync("HQ");
        var accounts = await _h.AccountsAsync(group, "a@contoso.com", "b@contoso.com");

        var batch = await _h.GenerateAsync([.. accounts.Select(a => a.Id)]);

        Assert.Equal(2, batch.Items.Count);
        Assert.All(batch.Items, i => Assert.Equal(SignInDataProtector.GeneratedPasswordLength, i.Password.Length));
        Assert.Equal(_h.Time.GetUtcNow().AddHours(8), batch.ExpiresAt);
        var row = await _h.AccountRowAsync(accounts[0].Id);
        Assert.Equal(ProvisioningStatus.OtpIssued, row.ProvisioningStatus);
        var item = batch.Items.Single(i => i.AccountId == accounts[0].Id);
        Assert.Equal(item.Password, _h.Protector.Unprotect(row.ProtectedPassword!));
    }

    [Fact]
    public async Task Batch_renders_as_csv_with_or_without_passwords()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var batch = new OtpBatch(Guid.NewGuid(), _h.Time.GetUtcNow(), [otp]);

        var with = CsvReader.Parse(batch.ToCsv(includePasswords: true), out _);
        var without = CsvReader.Parse(batch.ToCsv(includePasswords: false), out _);

        Assert.Equal([otp.Upn, otp.DisplayName, otp.Code, "2026-11-02 09:00", otp.Password], with[1].Fields);
        Assert.Equal(4, without[1].Fields.Count);
        Assert.DoesNotContain(otp.Password, batch.ToCsv(includePasswords: false), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_and_items_keep_codes_and_passwords_out_of_their_string_form()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var text = otp + " " + new OtpBatch(Guid.NewGuid(), _h.Time.GetUtcNow(), [otp]);

        Assert.DoesNotContain(otp.Code, text, StringComparison.Ordinal);
        Assert.DoesNotContain(otp.Password, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_with_uploaded_sign_in_data_keeps_those_passwords()
    {
        var group = await _h.GroupAsync("HQ");
        var accounts = await _h.AccountsAsync(group, "a@contoso.com", "b@contoso.com");
        var (rows, errors) = OtpService.ParseSignInData("upn,password\nA@contoso.com,\"Pass,with,commas\"\nb@contoso.com,Other-Pass-2\n");
        Assert.Empty(errors);

        var result = await _h.Otps.GenerateAsync(
            new OtpBatchRequest([.. accounts.Select(a => a.Id)], OtpPasswordMode.UploadedSignInData, [.. rows.Select(r => r.Credentials)]), Admin, AccessScope.All, Ct);

        Assert.Equal("Pass,with,commas", result.Value!.Items.Single(i => i.Upn == "a@contoso.com").Password);
        Assert.Equal("Other-Pass-2", _h.Protector.Unprotect((await _h.AccountRowAsync(accounts[1].Id)).ProtectedPassword!));
    }

    [Fact]
    public void Uploaded_sign_in_data_reports_every_bad_row()
    {
        var (rows, errors) = OtpService.ParseSignInData("upn,password\na@contoso.com,x\nbad,x\nA@CONTOSO.COM,y\nc@contoso.com,\nd@contoso.com\n");

        Assert.Single(rows);
        Assert.Equal([3, 4, 5, 6], errors.Select(e => e.LineNumber));
    }

    [Fact]
    public async Task Uploaded_sign_in_data_must_cover_exactly_the_selected_accounts()
    {
        var group = await _h.GroupAsync("HQ");
        var accounts = await _h.AccountsAsync(group, "a@contoso.com", "b@contoso.com");

        var ids = accounts.Select(a => a.Id).ToList();

        var missing = await _h.Otps.GenerateAsync(new OtpBatchRequest(ids, OtpPasswordMode.UploadedSignInData, [new("a@contoso.com", "x")]), Admin, AccessScope.All, Ct);
        var none = await _h.Otps.GenerateAsync(new OtpBatchRequest(ids, OtpPasswordMode.UploadedSignInData), Admin, AccessScope.All, Ct);
        var empty = await _h.Otps.GenerateAsync(
            new OtpBatchRequest(ids, OtpPasswordMode.UploadedSignInData, [new("a@contoso.com", "x"), new("b@contoso.com", "")]), Admin, AccessScope.All, Ct);
        var twice = await _h.Otps.GenerateAsync(
            new OtpBatchRequest(ids, OtpPasswordMode.UploadedSignInData, [new("a@contoso.com", "x"), new("A@CONTOSO.COM", "y")]), Admin, AccessScope.All, Ct);

        Assert.All([missing, none, empty, twice], r => Assert.Equal(OtpBatchError.InvalidSignInData, r.Error));
    }

    [Fact]
    public async Task Only_ready_accounts_in_scope_get_an_otp()
    {
        var group = await _h.GroupAsync("HQ");
        var other = await _h.GroupAsync("Branch");
        var account = (await _h.AccountsAsync(group, "a@contoso.com"))[0];
        await _h.Accounts.ImportAsync("upn,display name,room group\nnogroup@contoso.com,No group,\n", Admin, AccessScope.All, Ct);
        var noGroup = (await _h.Accounts.ListAsync(new ResourceAccountQuery("nogroup"), AccessScope.All, Ct)).Items[0];

        var outOfScope = await _h.Otps.GenerateAsync(new OtpBatchRequest([account.Id], OtpPasswordMode.GeneratePasswords), Admin, AccessScope.ForRoomGroups([other.Id]), Ct);
        var notReady = await _h.Otps.GenerateAsync(new OtpBatchRequest([noGroup.Id], OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, Ct);
        await _h.Accounts.SetEnabledAsync(account.Id, false, Admin, AccessScope.All, Ct);
        var disabled = await _h.Otps.GenerateAsync(new OtpBatchRequest([account.Id], OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, Ct);
        var none = await _h.Otps.GenerateAsync(new OtpBatchRequest([], OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, Ct);

        Assert.Equal(OtpBatchError.AccountNotFound, outOfScope.Error);
        Assert.Equal(OtpBatchError.AccountNotReady, notReady.Error);
        Assert.Equal(OtpBatchError.AccountNotReady, disabled.Error);
        Assert.Equal(OtpBatchError.NoAccounts, none.Error);
    }

    [Fact]
    public async Task A_new_otp_revokes_the_earlier_unused_one()
    {
        var (_, account, first) = await _h.OneOtpAsync();

        await _h.GenerateAsync(account.Id);
        var result = await _h.Approvals.RedeemAsync(first.Code, Console1, null, Ct);

        Assert.Equal(RedeemError.Revoked, result.Error);
        var history = await _h.Otps.ListForAccountAsync(account.Id, AccessScope.All, Ct);
        Assert.Equal([OtpState.Active, OtpState.Revoked], history.Select(h => h.State));
    }

    [Fact]
    public async Task Revoke_refuses_used_and_revoked_codes_and_other_scopes()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var other = await _h.GroupAsync("Elsewhere");

        var outOfScope = await _h.Otps.RevokeAsync(otp.OtpId, Admin, AccessScope.ForRoomGroups([other.Id]), Ct);
        await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);
        var used = await _h.Otps.RevokeAsync(otp.OtpId, Admin, AccessScope.All, Ct);

        Assert.Equal(OtpRevokeError.NotFound, outOfScope.Error);
        Assert.Equal(OtpRevokeError.AlreadyUsed, used.Error);
    }

    [Fact]
    public async Task Disabling_an_account_revokes_its_unused_otp()
    {
        var (_, account, otp) = await _h.OneOtpAsync();

        await _h.Accounts.SetEnabledAsync(account.Id, false, Admin, AccessScope.All, Ct);
        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        Assert.Equal(RedeemError.Revoked, result.Error);
        Assert.Equal(ProvisioningStatus.None, (await _h.AccountRowAsync(account.Id)).ProvisioningStatus);
    }

    [Fact]
    public async Task Revoking_twice_is_already_revoked()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        await _h.Otps.RevokeAsync(otp.OtpId, Admin, AccessScope.All, Ct);

        var again = await _h.Otps.RevokeAsync(otp.OtpId, Admin, AccessScope.All, Ct);

        Assert.Equal(OtpRevokeError.AlreadyRevoked, again.Error);
    }

    [Fact]
    public async Task A_batch_reports_its_progress_and_commits_one_code_per_account()
    {
        var group = await _h.GroupAsync("Campus");
        var accounts = await _h.AccountsAsync(group, [.. Enumerable.Range(0, 501).Select(i => $"room{i:D3}@contoso.com")]);
        var reports = new List<int>();

        // Timed by the bench (`--batch 10000`, docs/benchmarks.md), not here.
        var batch = await _h.Otps.GenerateAsync(
            new OtpBatchRequest([.. accounts.Select(a => a.Id)], OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, new Recorded(reports), Ct);

        Assert.Equal([OtpService.ProgressStep, 501], reports);
        Assert.Equal(501, batch.Value!.Items.Select(i => i.Code).Distinct().Count());
        await using var db = _h.Database.CreateDbContext();
        Assert.Equal(501, await db.Set<OneTimePassword>().CountAsync(Ct));
    }

    [Fact]
    public async Task A_batch_takes_up_to_ten_thousand_accounts()
    {
        var most = Enumerable.Range(0, OtpService.MaxBatchSize).Select(_ => Guid.NewGuid()).ToList();

        var full = await _h.Otps.GenerateAsync(new OtpBatchRequest(most, OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, Ct);
        var over = await _h.Otps.GenerateAsync(new OtpBatchRequest([.. most, Guid.NewGuid()], OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, Ct);

        Assert.Equal(10_000, OtpService.MaxBatchSize);
        Assert.Equal(OtpBatchError.AccountNotFound, full.Error);
        Assert.Equal(OtpBatchError.TooManyAccounts, over.Error);
    }

    [Fact]
    public async Task A_large_batch_and_its_replacement_read_back_as_written_on_every_provider()
    {
        // Over BulkRows.Threshold, so on SQLite the accounts, codes and audit rows take the bulk path; PostgreSQL runs
        // the same test through EF's batching (ROOMSPORTAL_CORE_PROVIDER=PostgreSql).
        var group = await _h.GroupAsync("Tower");
        var accounts = await _h.AccountsAsync(group, [.. Enumerable.Range(0, 2 * BulkRows.Threshold).Select(i => $"tower{i:D3}@contoso.com")]);
        var ids = accounts.Select(a => a.Id).ToArray();
        var first = await _h.GenerateAsync(ids);
        _h.Time.Advance(TimeSpan.FromMinutes(5));

        var second = await _h.GenerateAsync(ids);

        await using var db = _h.Database.CreateDbContext();
        var codes = await db.Set<OneTimePassword>().AsNoTracking().ToListAsync(Ct);
        var rows = await db.Set<ResourceAccount>().AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, Ct);
        Assert.Equal(2 * ids.Length, codes.Count);
        foreach (var item in second.Items)
        {
            var code = Assert.Single(codes, c => c.Id == item.OtpId);
            Assert.Equal(OtpCode.Hash(_h.Keys, OtpCode.Normalize(item.Code)!), code.CodeHash);
            Assert.Equal((item.AccountId, second.BatchId, second.ExpiresAt, _h.Time.GetUtcNow(), (DateTimeOffset?)null), (code.ResourceAccountId, code.BatchId, code.ExpiresAt, code.CreatedAt, code.RevokedAt));
            Assert.Equal(Admin.Id, code.CreatedBy);
            var account = rows[item.AccountId];
            Assert.Equal(item.Password, _h.Protector.Unprotect(account.ProtectedPassword!));
            Assert.Equal((ProvisioningStatus.OtpIssued, _h.Time.GetUtcNow()), (account.ProvisioningStatus, account.UpdatedAt));
        }

        Assert.All(codes.Where(c => c.BatchId == first.BatchId), c => Assert.Equal(_h.Time.GetUtcNow(), c.RevokedAt));
        Assert.Equal(2 * ids.Length, await _h.AuditCountAsync(AuditOperations.OtpGenerated));
        Assert.Equal(ids.Length, await _h.AuditCountAsync(AuditOperations.OtpRevoked));
        var audit = await db.Set<AuditEntry>().AsNoTracking()
            .Where(e => e.Operation == AuditOperations.OtpGenerated && e.Target == second.Items[0].Upn).OrderBy(e => e.Id).ToListAsync(Ct);
        Assert.Contains(audit, e => e.Details == $"OTP {second.Items[0].OtpId} in batch {second.BatchId}, expires {second.ExpiresAt:u}, password reset"
            && e.ActorName == Admin.DisplayName && e.Category == AuditCategory.Otps);
    }

    /// <summary>Records synchronously (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class Recorded(List<int> reports) : IProgress<int>
    {
        public void Report(int value) => reports.Add(value);
    }
}
