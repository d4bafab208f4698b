using System.Text;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

public sealed class ImportTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync();
        await _h.GroupAsync("HQ");
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Import_creates_accounts_with_readiness_and_one_audit_entry()
    {
        var csv = "upn,display name,room group,password\nroom1@contoso.com,Room 1,hq,Secret-1\nroom2@contoso.com,Room 2,,\nroom3@contoso.com,Room 3,hq,\n";

        var result = await _h.Accounts.ImportAsync(csv, Admin, AccessScope.All, Ct);

        Assert.Equal(3, result.Created);
        var list = await _h.Accounts.ListAsync(new ResourceAccountQuery(), AccessScope.All, Ct);
        var ready = list.Items.Single(a => a.Upn == "room1@contoso.com");
        var notReady = list.Items.Single(a => a.Upn == "room2@contoso.com");
        Assert.Equal(Readiness.NoActionNeeded, ready.Readiness);
        Assert.Equal(Readiness.NeedsAction, notReady.Readiness);
        Assert.Equal(ReadinessReasons.NoRoomGroup | ReadinessReasons.NoSignInData, notReady.Reasons);
        // Missing sign-in data alone needs no action: the OTP wizard sets a password either way.
        var noPassword = list.Items.Single(a => a.Upn == "room3@contoso.com");
        Assert.Equal((Readiness.NoActionNeeded, true, ReadinessReasons.NoSignInData), (noPassword.Readiness, noPassword.CanGetOtp, noPassword.Reasons));
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.AccountsImported));
    }

    [Fact]
    public async Task Import_with_bad_rows_writes_nothing_and_reports_each_line()
    {
        var csv = "upn,display name,room group\n"
            + "good@contoso.com,Good,HQ\n"
            + "not-an-address,Bad UPN,HQ\n"
            + "GOOD@contoso.com,Duplicate,HQ\n"
            + "other@contoso.com,Unknown group,Mars Base\n"
            + "long@contoso.com," + new string('n', 257) + ",HQ\n"
            + "fields@contoso.com,Too few\n";

        var result = await _h.Accounts.ImportAsync(csv, Admin, AccessScope.All, Ct);

        Assert.False(result.Succeeded);
        Assert.Equal([3, 4, 5, 6, 7], result.Errors.Select(e => e.LineNumber));
        Assert.Contains("duplicate of line 2", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("Mars Base", result.Errors[2].Message, StringComparison.Ordinal);
        await using var db = _h.Database.CreateDbContext();
        Assert.Equal(0, await db.Set<ResourceAccount>().CountAsync(Ct));
        Assert.Equal(0, await _h.AuditCountAsync(AuditOperations.AccountsImported));
    }

    [Fact]
    public async Task Import_refuses_an_existing_upn_whatever_its_case()
    {
        await _h.Accounts.ImportAsync("upn,display name,room group\nroom@contoso.com,Room,HQ\n", Admin, AccessScope.All, Ct);

        var result = await _h.Accounts.ImportAsync("upn,display name,room group\nROOM@Contoso.com,Room,HQ\n", Admin, AccessScope.All, Ct);

        Assert.Equal(2, Assert.Single(result.Errors).LineNumber);
    }

    [Fact]
    public async Task Import_refuses_room_groups_outside_the_scope()
    {
        var other = await _h.GroupAsync("Branch");

        var result = await _h.Accounts.ImportAsync("upn,display name,room group\nroom@contoso.com,Room,HQ\n", Admin, AccessScope.ForRoomGroups([other.Id]), Ct);

        Assert.Contains("outside your scope", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_refuses_more_rows_than_the_limit()
    {
        var csv = new StringBuilder("upn,display name,room group\n");
        for (var i = 0; i <= CsvLimits.MaxRows; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"r{i}@c.io,R,HQ\n");
        }

        var result = await _h.Accounts.ImportAsync(csv.ToString(), Admin, AccessScope.All, Ct);

        Assert.Contains("at most 5000", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_refuses_files_over_one_mebibyte()
    {
        var csv = "upn,display name,room group\nroom@contoso.com," + new string('x', CsvLimits.MaxBytes) + ",HQ\n";

        var result = await _h.Accounts.ImportAsync(csv, Admin, AccessScope.All, Ct);

        Assert.Contains("larger than 1024 KiB", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_needs_the_header()
    {
        var result = await _h.Accounts.ImportAsync("room@contoso.com,Room,HQ\n", Admin, AccessScope.All, Ct);

        Assert.Equal(1, Assert.Single(result.Errors).LineNumber);
    }

    [Fact]
    public async Task List_only_shows_accounts_in_scope()
    {
        var branch = await _h.GroupAsync("Branch");
        await _h.Accounts.ImportAsync("upn,display name,room group\na@contoso.com,A,HQ\nb@contoso.com,B,Branch\n", Admin, AccessScope.All, Ct);

        var list = await _h.Accounts.ListAsync(new ResourceAccountQuery(), AccessScope.ForRoomGroups([branch.Id]), Ct);

        Assert.Equal("b@contoso.com", Assert.Single(list.Items).Upn);
    }

    [Fact]
    public async Task Room_groups_can_be_created_listed_and_renamed_with_unique_names()
    {
        var group = await _h.GroupAsync("Annex");

        var duplicate = await _h.RoomGroups.CreateAsync("annex", Admin, Ct);
        var renamed = await _h.RoomGroups.RenameAsync(group.Id, "Annex North", Admin, AccessScope.All, Ct);
        var groups = await _h.RoomGroups.ListAsync(AccessScope.All, Ct);

        Assert.Equal(Core.RoomGroups.RoomGroupError.DuplicateName, duplicate.Error);
        Assert.True(renamed.Succeeded);
        Assert.Equal(["Annex North", "HQ"], groups.Select(g => g.Name));
    }

    [Fact]
    public async Task A_manager_can_create_the_missing_room_groups_and_the_audit_names_them_and_the_accounts()
    {
        var csv = "upn,display name,room group\na@contoso.com,A,HQ\nb@contoso.com,B,Berlin Office\nc@contoso.com,C,berlin office\n";

        var result = await _h.Accounts.ImportAsync(csv, Admin, AccessScope.All, new ImportOptions(CreateMissingRoomGroups: true), Ct);

        Assert.Equal(3, result.Created);
        Assert.Equal(["Berlin Office"], result.CreatedRoomGroups);
        var accounts = await _h.Accounts.ListAsync(new ResourceAccountQuery(), AccessScope.All, Ct);
        Assert.Equal(["Berlin Office", "Berlin Office", "HQ"], accounts.Items.Select(a => a.RoomGroupName).Order());
        Assert.All(accounts.Items, a => Assert.Equal(Readiness.NoActionNeeded, a.Readiness));
        await using var db = _h.Database.CreateDbContext();
        var created = await db.Set<AuditEntry>().SingleAsync(e => e.Operation == AuditOperations.RoomGroupCreated && e.Target == "Berlin Office", Ct);
        Assert.Equal(AuditCategory.RoomGroups, created.Category);
        var imported = await db.Set<AuditEntry>().SingleAsync(e => e.Operation == AuditOperations.AccountsImported, Ct);
        Assert.Equal("Imported from CSV: created 3 account(s): a@contoso.com, b@contoso.com, c@contoso.com; updated 0; created 1 room group(s): Berlin Office.", imported.Details);
    }

    [Fact]
    public async Task Only_an_unrestricted_scope_may_create_room_groups_and_without_the_option_a_missing_group_is_an_error()
    {
        var hq = (await _h.RoomGroups.ListAsync(AccessScope.All, Ct)).Single();
        var csv = "upn,display name,room group\na@contoso.com,A,Mars Base\n";

        var siteLead = await _h.Accounts.ImportAsync(csv, Admin, AccessScope.ForRoomGroups([hq.Id]), new ImportOptions(CreateMissingRoomGroups: true), Ct);
        var unticked = await _h.Accounts.ImportAsync(csv, Admin, AccessScope.All, Ct);

        Assert.Contains("Only a Rooms Pro Manager can create room groups", Assert.Single(siteLead.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("create missing room groups", Assert.Single(unticked.Errors).Message, StringComparison.Ordinal);
        Assert.Single(await _h.RoomGroups.ListAsync(AccessScope.All, Ct));
    }

    [Fact]
    public async Task Display_and_room_group_names_with_invisible_characters_are_refused_with_the_rule()
    {
        var csv = "upn,display name,room group\na@contoso.com,exe.png \u202ERoom,HQ\nb@contoso.com,Room B,H\u200BQ\n";

        var result = await _h.Accounts.ImportAsync(csv, Admin, AccessScope.All, new ImportOptions(CreateMissingRoomGroups: true), Ct);

        Assert.Equal([2, 3], result.Errors.Select(e => e.LineNumber));
        Assert.StartsWith("the display name contains an invisible formatting character (U+202E) at position 9", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("the room group name contains an invisible formatting character (U+200B) at position 2", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Single(await _h.RoomGroups.ListAsync(AccessScope.All, Ct));
    }

    [Fact]
    public async Task The_import_entry_names_the_first_50_accounts_and_how_many_in_all()
    {
        var csv = new StringBuilder("upn,display name,room group\n");
        for (var i = 0; i < 60; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"r{i:00}@c.io,R {i},HQ\n");
        }

        await _h.Accounts.ImportAsync(csv.ToString(), Admin, AccessScope.All, Ct);

        await using var db = _h.Database.CreateDbContext();
        var details = (await db.Set<AuditEntry>().SingleAsync(e => e.Operation == AuditOperations.AccountsImported, Ct)).Details!;
        Assert.StartsWith("Imported from CSV: created 60 account(s): r00@c.io, r01@c.io,", details, StringComparison.Ordinal);
        Assert.Contains("r49@c.io ... and 10 more (60 in all); updated 0.", details, StringComparison.Ordinal);
        Assert.DoesNotContain("r50@c.io", details, StringComparison.Ordinal);
    }
}
