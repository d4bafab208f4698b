using System.Text;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

public sealed class AuditAndSecurityTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Database_holds_no_otp_or_password_in_clear()
    {
        var group = await _h.GroupAsync("HQ");
        await _h.Accounts.ImportAsync("upn,display name,room group,password\nimported@contoso.com,Imported,HQ,Imported-Secret-77\n", Admin, AccessScope.All, Ct);
        var accounts = await _h.AccountsAsync(group, "a@contoso.com", "b@contoso.com");
        var batch = await _h.GenerateAsync([.. accounts.Select(a => a.Id)]);
        var redeemed = await _h.Approvals.RedeemAsync(batch.Items[0].Code, Console1, "10.0.0.1", Ct);
        await _h.Approvals.ApproveAsync(redeemed.Value!.RequestId, Admin, AccessScope.All, Ct);
        await _h.Approvals.ClaimSignInDataAsync(redeemed.Value.RequestId, Console1.Key, Ct);
        await _h.ManualSetup.ManualSignInAsync("b@contoso.com", batch.Items[1].Password, Console2, null, Ct);
        await _h.ManualSetup.ManualSignInAsync("b@contoso.com", "Wrong-Guess-99", Console2, null, Ct);
        await _h.Approvals.RedeemAsync(batch.Items[1].Code, Console2, null, Ct);

        var secrets = batch.Items.SelectMany(i => new[] { i.Code, OtpCode.Normalize(i.Code)!, i.Password })
            .Append("Imported-Secret-77").Append("Wrong-Guess-99").ToList();
        var cells = await AllCellsAsync(_h.Database);

        Assert.True(cells.Count > 100);
        foreach (var (table, column, text) in cells)
        {
            Assert.False(secrets.Any(s => text.Contains(s, StringComparison.OrdinalIgnoreCase)), $"{table}.{column} holds a secret in clear");
        }
    }

    [Fact]
    public async Task Every_operation_leaves_exactly_one_audit_entry()
    {
        var before = await _h.AuditTotalAsync();
        async Task<int> Step(Func<Task> operation)
        {
            var count = await _h.AuditTotalAsync();
            await operation();
            return await _h.AuditTotalAsync() - count;
        }

        Assert.Equal(0, before);
        Assert.Equal(1, await Step(() => _h.GroupAsync("HQ")));
        var group = (await _h.RoomGroups.ListAsync(AccessScope.All, Ct))[0];
        Assert.Equal(1, await Step(() => _h.Accounts.ImportAsync("upn,display name,room group,password\na@c.io,A,HQ,p\nb@c.io,B,HQ,p\nc@c.io,C,HQ,p\n", Admin, AccessScope.All, Ct)));
        var ids = (await _h.Accounts.ListAsync(new(), AccessScope.All, Ct)).Items.Select(a => a.Id).ToArray();
        OtpBatch batch = default!;
        Assert.Equal(1, await Step(async () => batch = await _h.GenerateAsync(ids[0])));
        // A batch writes one entry per account, so each account's history shows its own OTP, and one per code it replaced.
        Assert.Equal(3 + 1, await Step(async () => batch = await _h.GenerateAsync(ids)));
        var codes = batch.Items.ToDictionary(i => i.AccountId);
        Assert.Equal(1, await Step(() => _h.Otps.RevokeAsync(codes[ids[2]].OtpId, Admin, AccessScope.All, Ct)));
        Assert.Equal(1, await Step(() => _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct)));
        Guid first = default, second = default;
        Assert.Equal(1, await Step(async () => first = (await _h.Approvals.RedeemAsync(codes[ids[0]].Code, Console1, null, Ct)).Value!.RequestId));
        Assert.Equal(0, await Step(() => _h.Approvals.RedeemAsync(codes[ids[0]].Code, Console1, null, Ct)));
        Assert.Equal(1, await Step(async () => second = (await _h.Approvals.RedeemAsync(codes[ids[1]].Code, Console2, null, Ct)).Value!.RequestId));
        Assert.Equal(1, await Step(() => _h.Approvals.ApproveAsync(first, Admin, AccessScope.All, Ct)));
        Assert.Equal(1, await Step(() => _h.Approvals.ClaimSignInDataAsync(first, Console1.Key, Ct)));
        Assert.Equal(1, await Step(() => _h.Approvals.RejectAsync(second, RejectReason.UnrecognizedDevice, null, Admin, AccessScope.All, Ct)));
        Assert.Equal(1, await Step(() => _h.SetAutoApprovalAsync(true)));
        Assert.Equal(1, await Step(() => _h.ManualSetup.ManualSignInAsync("c@c.io", "wrong", Console2, null, Ct)));
        Assert.Equal(1, await Step(() => _h.ManualSetup.ManualSignInAsync("c@c.io", "p", Console2, null, Ct)));
        Assert.Equal(1, await Step(() => _h.Accounts.SetEnabledAsync(ids[2], false, Admin, AccessScope.All, Ct)));
        Assert.Equal(1, await Step(() => _h.RoomGroups.RenameAsync(group.Id, "HQ 2", Admin, AccessScope.All, Ct)));
    }

    [Fact]
    public async Task Audit_entries_carry_actor_category_operation_target_and_result()
    {
        await _h.GroupAsync("HQ");

        var entry = Assert.Single((await _h.Audit.QueryAsync(new AuditQuery(), Ct)).Items);

        Assert.Equal(("admin-1", "Ada Admin", AuditCategory.RoomGroups, AuditOperations.RoomGroupCreated, "HQ", AuditResult.Successful),
            (entry.ActorId, entry.ActorName, entry.Category, entry.Operation, entry.Target, entry.Result));
        Assert.Equal(_h.Time.GetUtcNow(), entry.OccurredAt);
    }

    [Fact]
    public async Task Audit_query_filters_by_date_category_actor_and_target()
    {
        await _h.GroupAsync("HQ");
        _h.Time.Advance(TimeSpan.FromDays(1));
        await _h.RoomGroups.CreateAsync("Branch", Actor.User("u-2", "Bo"), Ct);
        await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);

        var byDate = await _h.Audit.QueryAsync(new AuditQuery(From: _h.Time.GetUtcNow().AddHours(-1)), Ct);
        var byCategory = await _h.Audit.QueryAsync(new AuditQuery(Category: AuditCategory.Security), Ct);
        var byActor = await _h.Audit.QueryAsync(new AuditQuery(ActorId: "u-2"), Ct);
        var byTarget = await _h.Audit.QueryAsync(new AuditQuery(Target: "HQ"), Ct);

        Assert.Equal(2, byDate.TotalCount);
        Assert.Equal("console:Contoso/RoomConsole 10/SN-0001", Assert.Single(byCategory.Items).ActorId);
        Assert.Equal("Branch", Assert.Single(byActor.Items).Target);
        Assert.Equal("HQ", Assert.Single(byTarget.Items).Target);
    }

    [Fact]
    public async Task Purge_removes_only_entries_older_than_180_days()
    {
        await _h.GroupAsync("Old");
        await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);
        _h.Time.Advance(TimeSpan.FromDays(1));
        await _h.GroupAsync("Recent");
        // A millisecond past the boundary: PostgreSQL keeps microseconds, so a tick would vanish there.
        _h.Time.Advance(AuditService.Retention - TimeSpan.FromDays(1) + TimeSpan.FromMilliseconds(1));

        var purged = await _h.Audit.PurgeAsync(Ct);

        Assert.Equal(2, purged);
        await using (var db = _h.Database.CreateDbContext())
        {
            Assert.Equal(0, await db.Set<SetupFailure>().CountAsync(Ct));
        }

        Assert.Equal("Recent", Assert.Single((await _h.Audit.QueryAsync(new AuditQuery(), Ct)).Items).Target);
    }

    [Fact]
    public async Task Audit_export_is_csv_for_the_date_range_and_defuses_formulas()
    {
        var start = _h.Time.GetUtcNow();
        await _h.GroupAsync("=HYPERLINK(\"http://x\")");
        _h.Time.Advance(TimeSpan.FromDays(2));
        await _h.GroupAsync("Later");

        var csv = await _h.Audit.ExportCsvAsync(start.ToOffset(TimeSpan.FromHours(2)), start.AddDays(1), Ct);
        var records = CsvReader.Parse(csv, out var error);

        Assert.Null(error);
        Assert.Equal(2, records.Count);
        Assert.Equal(["2026-11-02T09:00:00Z", "RoomGroups", AuditOperations.RoomGroupCreated, "Successful", "admin-1", "Ada Admin", "'=HYPERLINK(\"http://x\")", string.Empty],
            records[1].Fields);
    }

    private static async Task<List<(string Table, string Column, string Text)>> AllCellsAsync(TestDatabase database)
    {
        var cells = new List<(string, string, string)>();
        await using var connection = await database.OpenConnectionAsync(Ct);
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = TestDatabase.Provider == TestProvider.PostgreSql
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    var text = value switch
                    {
                        string s => s,
                        byte[] b => Encoding.UTF8.GetString(b) + Encoding.Unicode.GetString(b),
                        _ => null,
                    };
                    if (text is not null)
                    {
                        cells.Add((table, reader.GetName(i), text));
                    }
                }
            }
        }

        return cells;
    }

    [Fact]
    public async Task Audit_entries_of_the_same_instant_page_through_once_each()
    {
        // Eight room groups created within one clock tick: eight entries with one timestamp.
        for (var i = 1; i <= 8; i++)
        {
            await _h.GroupAsync($"Building {i}");
        }

        var all = await _h.Audit.QueryAsync(new AuditQuery(PageSize: 200), Ct);
        var seen = new List<Guid>();
        for (var page = 1; page <= all.TotalCount; page++)
        {
            seen.Add(Assert.Single((await _h.Audit.QueryAsync(new AuditQuery(Page: page, PageSize: 1), Ct)).Items).Id);
        }

        Assert.Equal(8, all.TotalCount);
        Assert.Equal(all.Items.Select(e => e.Id).Order(), seen.Order());
    }
}
