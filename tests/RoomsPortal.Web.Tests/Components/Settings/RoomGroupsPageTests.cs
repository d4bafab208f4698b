using Bunit;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Users;
using RoomsPortal.Web.Components.Pages.Settings;
using RoomsPortal.Web.Tests.Components.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.Settings;

public sealed class RoomGroupsPageTests : AccountPageContext
{
    [Fact]
    public async Task Without_room_groups_the_page_says_what_they_are_for_and_creating_one_lists_it_and_audits_it()
    {
        var cut = RenderPage<RoomGroups>();
        cut.WaitForElement("[data-testid=no-room-groups]");

        cut.Find("[data-testid=new-room-group]").Input("  Building 4 ");
        cut.Find("[data-testid=create-room-group]").Click();

        cut.WaitForAssertion(() => Assert.Equal(["Building 4"], cut.FindAll("[data-testid=room-group-row]").Select(r => r.GetAttribute("data-group"))));
        Assert.Contains("Created the room group Building 4.", Snackbars);
        var entry = Assert.Single((await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.RoomGroups), Ct)).Items);
        Assert.Equal(("test-admin", AuditOperations.RoomGroupCreated, "Building 4"), (entry.ActorId, entry.Operation, entry.Target));
    }

    [Theory]
    [InlineData("exe.png \u202ERoom", "The room group name contains an invisible formatting character (U+202E) at position 9.")]
    [InlineData("Lobby\u200B", "The room group name contains an invisible formatting character (U+200B) at position 6.")]
    [InlineData("", "The room group name is required.")]
    public async Task Names_that_break_the_text_rule_are_refused_with_the_rule(string name, string message)
    {
        var cut = RenderPage<RoomGroups>();
        cut.WaitForElement("[data-testid=no-room-groups]");

        cut.Find("[data-testid=new-room-group]").Input(name);
        cut.Find("[data-testid=create-room-group]").Click();

        cut.WaitForAssertion(() => Assert.Contains(message, cut.Find("[data-testid=create-section]").TextContent, StringComparison.Ordinal));
        Assert.Empty(await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct));
    }

    [Fact]
    public async Task A_duplicate_name_is_refused_whatever_its_case()
    {
        await Service<RoomGroupService>().CreateAsync("HQ", Admin, Ct);
        var cut = RenderPage<RoomGroups>();
        cut.WaitForElement("[data-testid=room-groups]");

        cut.Find("[data-testid=new-room-group]").Input("hq");
        cut.Find("[data-testid=create-room-group]").Click();

        cut.WaitForAssertion(() => Assert.Contains("A room group named hq exists already", cut.Find("[data-testid=create-section]").TextContent, StringComparison.Ordinal));
        Assert.Single(await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct));
    }

    [Fact]
    public async Task Rename_edits_the_name_in_place()
    {
        await Service<RoomGroupService>().CreateAsync("Annex", Admin, Ct);
        var cut = RenderPage<RoomGroups>();
        cut.WaitForElement("[data-testid=room-groups]");

        cut.Find("[data-testid=rename]").Click();
        cut.Find("[data-testid=rename-input]").Input("Annex North");
        cut.Find("[data-testid=rename-save]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Annex North", cut.Find("[data-testid=room-group-row]").GetAttribute("data-group")));
        Assert.Contains("Renamed Annex to Annex North.", Snackbars);
    }

    [Fact]
    public async Task Delete_is_refused_with_what_to_do_while_accounts_and_people_are_assigned_and_the_members_show()
    {
        await Provisioning.CreateAccountAsync("lobby@contoso.com", roomGroup: "HQ", ct: Ct);
        var hq = (await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct)).Single();
        await AssignPersonAsync(hq.Id, "lea", "Lea Lead");
        var cut = RenderPage<RoomGroups>();
        cut.WaitForElement("[data-testid=room-groups]");

        cut.Find("[data-testid=delete]").Click();
        cut.Find("[data-testid=delete-confirm]").Click();

        cut.WaitForAssertion(() => Assert.Equal(
            "HQ cannot be deleted while 1 resource account and 1 person are assigned to it. Move the accounts to another room group "
            + "(Planning > Resource Accounts: select them, then Assign room group) and change the people's room groups (Settings > Users), then delete it.",
            cut.Find("[data-testid=room-groups-error]").TextContent.Trim()));
        cut.WaitForAssertion(() => Assert.Contains("Room lobby@contoso.com (lobby@contoso.com)", cut.Find("[data-testid=member-accounts]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Lea Lead (lea), Site Lead", cut.Find("[data-testid=member-people]").TextContent, StringComparison.Ordinal);
        Assert.Single(await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct));
    }

    [Fact]
    public async Task An_empty_room_group_is_deleted_after_confirming()
    {
        await Service<RoomGroupService>().CreateAsync("Old site", Admin, Ct);
        var cut = RenderPage<RoomGroups>();
        cut.WaitForElement("[data-testid=room-groups]");

        cut.Find("[data-testid=delete]").Click();
        Assert.Contains("Delete Old site?", cut.Find("[data-testid=room-group-row]").TextContent, StringComparison.Ordinal);
        cut.Find("[data-testid=delete-confirm]").Click();

        cut.WaitForElement("[data-testid=no-room-groups]");
        Assert.Contains("Deleted the room group Old site.", Snackbars);
        Assert.Equal(1, (await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.RoomGroups), Ct)).Items.Count(e => e.Operation == AuditOperations.RoomGroupDeleted));
    }

    private async Task AssignPersonAsync(Guid roomGroupId, string userName, string displayName)
    {
        await using var db = await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var role = new Microsoft.AspNetCore.Identity.IdentityRole("SiteLead") { NormalizedName = "SITELEAD" };
        var user = new PortalUser { UserName = userName, NormalizedUserName = userName.ToUpperInvariant(), DisplayName = displayName };
        db.Roles.Add(role);
        db.Users.Add(user);
        db.UserRoles.Add(new Microsoft.AspNetCore.Identity.IdentityUserRole<string> { UserId = user.Id, RoleId = role.Id });
        db.UserRoomGroups.Add(new UserRoomGroup { UserId = user.Id, RoomGroupId = roomGroupId });
        await db.SaveChangesAsync(Ct);
    }
}
