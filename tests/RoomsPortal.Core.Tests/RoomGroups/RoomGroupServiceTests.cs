using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Users;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.RoomGroups;

public sealed class RoomGroupServiceTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Names_with_invisible_characters_are_refused_and_nothing_is_written()
    {
        var created = await _h.RoomGroups.CreateAsync("exe.png \u202ERoom", Admin, Ct);
        var group = await _h.GroupAsync("HQ");
        var renamed = await _h.RoomGroups.RenameAsync(group.Id, "H\u200BQ", Admin, AccessScope.All, Ct);

        Assert.Equal(RoomGroupError.InvalidName, created.Error);
        Assert.Equal(RoomGroupError.InvalidName, renamed.Error);
        Assert.Contains("U+202E", RoomGroupService.CheckName("exe.png \u202ERoom"), StringComparison.Ordinal);
        Assert.Equal(["HQ"], (await _h.RoomGroups.ListAsync(AccessScope.All, Ct)).Select(g => g.Name));
        Assert.Equal(1, await _h.AuditTotalAsync());
    }

    [Fact]
    public async Task Rename_is_audited_with_the_name_before_and_after_and_an_unchanged_name_is_no_change()
    {
        var group = await _h.GroupAsync("Annex");

        await _h.RoomGroups.RenameAsync(group.Id, "Annex North", Admin, AccessScope.All, Ct);
        await _h.RoomGroups.RenameAsync(group.Id, " Annex North ", Admin, AccessScope.All, Ct);

        var entry = await SingleEntryAsync(AuditOperations.RoomGroupRenamed);
        Assert.Equal((AuditCategory.RoomGroups, "Annex North", "admin-1", "Name 'Annex' -> 'Annex North'"),
            (entry.Category, entry.Target, entry.ActorId, entry.Details));
    }

    [Fact]
    public async Task Delete_is_refused_while_accounts_or_people_are_assigned_and_allowed_once_empty()
    {
        var hq = await _h.GroupAsync("HQ");
        var branch = await _h.GroupAsync("Branch");
        var account = (await _h.AccountsAsync(hq, "room1@contoso.com"))[0];
        await AssignPersonAsync(branch.Id);

        var withAccount = await _h.RoomGroups.DeleteAsync(hq.Id, Admin, Ct);
        var withPerson = await _h.RoomGroups.DeleteAsync(branch.Id, Admin, Ct);

        Assert.Equal(RoomGroupError.HasMembers, withAccount.Error);
        Assert.Equal(RoomGroupError.HasMembers, withPerson.Error);
        Assert.Equal(0, await _h.AuditCountAsync(AuditOperations.RoomGroupDeleted));

        await _h.RoomGroups.AssignAccountsAsync([account.Id], branch.Id, Admin, AccessScope.All, Ct);
        await _h.Preferences.UpdateAsync((await _h.Preferences.GetAsync(Ct)) with { RoomGroupOverrides = new Dictionary<Guid, bool> { [hq.Id] = true } }, Admin, Ct);
        var deleted = await _h.RoomGroups.DeleteAsync(hq.Id, Admin, Ct);

        Assert.True(deleted.Succeeded);
        Assert.Equal(["Branch"], (await _h.RoomGroups.ListAsync(AccessScope.All, Ct)).Select(g => g.Name));
        Assert.Empty((await _h.Preferences.GetAsync(Ct)).RoomGroupOverrides);
        var entry = await SingleEntryAsync(AuditOperations.RoomGroupDeleted);
        Assert.Equal(("HQ", "Room group 'HQ' -> deleted (it had no accounts and no people)"), (entry.Target, entry.Details));
        Assert.Equal(RoomGroupError.NotFound, (await _h.RoomGroups.DeleteAsync(hq.Id, Admin, Ct)).Error);
    }

    [Fact]
    public async Task Summaries_and_members_show_the_accounts_and_the_people_assigned()
    {
        var hq = await _h.GroupAsync("HQ");
        await _h.GroupAsync("Empty");
        await _h.AccountsAsync(hq, "b@contoso.com", "a@contoso.com");
        var personId = await AssignPersonAsync(hq.Id, "lea");

        var summaries = await _h.RoomGroups.ListSummariesAsync(Ct);
        var members = (await _h.RoomGroups.GetMembersAsync(hq.Id, Ct))!;

        Assert.Equal([("Empty", 0, 0, true), ("HQ", 2, 1, false)], summaries.Select(s => (s.Name, s.AccountCount, s.PeopleCount, s.CanDelete)));
        Assert.Equal(["a@contoso.com", "b@contoso.com"], members.Accounts.Select(a => a.Upn));
        Assert.Equal((personId, "lea", "SiteLead"), (members.People.Single().UserId, members.People.Single().UserName, members.People.Single().Role));
        Assert.Null(await _h.RoomGroups.GetMembersAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Assigning_moves_the_accounts_their_consoles_and_pending_requests_and_audits_each_account_with_its_old_group()
    {
        var (hq, account, otp) = await _h.OneOtpAsync("HQ");
        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, Console1, "10.0.0.5", Ct);
        var other = (await _h.AccountsAsync(hq, "room2@hq.example.com"))[0];
        var branch = await _h.GroupAsync("Branch");

        var result = await _h.RoomGroups.AssignAccountsAsync([account.Id, other.Id], branch.Id, Admin, AccessScope.All, Ct);

        Assert.Equal(2, result.Value!.Moved);
        Assert.Equal(branch.Id, (await _h.AccountRowAsync(account.Id)).RoomGroupId);
        await using (var db = _h.Database.CreateDbContext())
        {
            Assert.Equal(branch.Id, (await db.Set<ApprovalRequest>().SingleAsync(r => r.Id == redeemed.Value!.RequestId, Ct)).RoomGroupId);
        }

        var entry = await SingleEntryAsync(AuditOperations.RoomGroupAccountsAssigned);
        Assert.Equal(("Branch", "2 account(s) -> 'Branch': room1@hq.example.com (from 'HQ'), room2@hq.example.com (from 'HQ')"), (entry.Target, entry.Details));

        // Approved later, the console lands in the group the account is in now; moving again takes the console along.
        await _h.Approvals.ApproveAsync(redeemed.Value!.RequestId, Admin, AccessScope.All, Ct);
        var again = await _h.RoomGroups.AssignAccountsAsync([account.Id], null, Admin, AccessScope.All, Ct);
        Assert.Equal((1, (string?)null), (again.Value!.Moved, again.Value.RoomGroupName));
        await using (var db = _h.Database.CreateDbContext())
        {
            Assert.Null((await db.Set<Device>().SingleAsync(Ct)).RoomGroupId);
        }

        var unchanged = await _h.RoomGroups.AssignAccountsAsync([account.Id], null, Admin, AccessScope.All, Ct);
        Assert.Equal(0, unchanged.Value!.Moved);
        Assert.Equal(2, await _h.AuditCountAsync(AuditOperations.RoomGroupAccountsAssigned));
    }

    [Fact]
    public async Task Assigning_outside_the_callers_room_groups_is_refused_and_moves_nothing()
    {
        var hq = await _h.GroupAsync("HQ");
        var branch = await _h.GroupAsync("Branch");
        var account = (await _h.AccountsAsync(hq, "room@contoso.com"))[0];
        var branchOnly = AccessScope.ForRoomGroups([branch.Id]);

        var intoForeign = await _h.RoomGroups.AssignAccountsAsync([account.Id], hq.Id, Admin, branchOnly, Ct);
        var foreignAccount = await _h.RoomGroups.AssignAccountsAsync([account.Id], branch.Id, Admin, branchOnly, Ct);
        var unknown = await _h.RoomGroups.AssignAccountsAsync([Guid.NewGuid()], branch.Id, Admin, AccessScope.All, Ct);

        Assert.Equal(RoomGroupError.NotFound, intoForeign.Error);
        Assert.Equal(RoomGroupError.AccountNotFound, foreignAccount.Error);
        Assert.Equal(RoomGroupError.AccountNotFound, unknown.Error);
        Assert.Equal(hq.Id, (await _h.AccountRowAsync(account.Id)).RoomGroupId);
        Assert.Equal(0, await _h.AuditCountAsync(AuditOperations.RoomGroupAccountsAssigned));
    }

    private async Task<AuditEntry> SingleEntryAsync(string operation)
    {
        await using var db = _h.Database.CreateDbContext();
        return await db.Set<AuditEntry>().SingleAsync(e => e.Operation == operation, Ct);
    }

    // People are added by the Web's user administration (Identity); here the rows it writes are enough.
    private async Task<string> AssignPersonAsync(Guid roomGroupId, string userName = "person")
    {
        await using var db = _h.Database.CreateDbContext();
        var role = await db.Roles.FirstOrDefaultAsync(r => r.Name == "SiteLead", Ct);
        if (role is null)
        {
            role = new Microsoft.AspNetCore.Identity.IdentityRole("SiteLead") { NormalizedName = "SITELEAD" };
            db.Roles.Add(role);
        }

        var user = new PortalUser { UserName = userName, NormalizedUserName = userName.ToUpperInvariant(), CreatedAt = _h.Time.GetUtcNow() };
        db.Users.Add(user);
        db.UserRoles.Add(new Microsoft.AspNetCore.Identity.IdentityUserRole<string> { UserId = user.Id, RoleId = role.Id });
        db.UserRoomGroups.Add(new UserRoomGroup { UserId = user.Id, RoomGroupId = roomGroupId });
        await db.SaveChangesAsync(Ct);
        return user.Id;
    }
}
