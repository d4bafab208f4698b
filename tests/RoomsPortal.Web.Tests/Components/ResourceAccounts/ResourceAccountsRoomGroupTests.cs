using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using ResourceAccountsPage = RoomsPortal.Web.Components.Pages.ResourceAccounts.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.ResourceAccounts;

/// <summary>Room groups from the Resource Accounts page: bulk assignment and creating missing groups on import.</summary>
public sealed class ResourceAccountsRoomGroupTests : AccountPageContext
{
    [Fact]
    public async Task A_manager_assigns_the_selected_accounts_to_a_room_group_in_one_go()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", roomGroup: "HQ", ct: Ct);
        var hall = await Provisioning.CreateAccountAsync("hall@contoso.com", roomGroup: "HQ", ct: Ct);
        await Provisioning.CreateAccountAsync("attic@contoso.com", roomGroup: "HQ", ct: Ct);
        await Service<RoomGroupService>().CreateAsync("Branch", Admin, Ct);
        var popovers = Render<MudPopoverProvider>();
        Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        var cut = Render<ResourceAccountsPage>();
        cut.WaitForAssertion(() => Assert.Contains("lobby@contoso.com", cut.Markup, StringComparison.Ordinal));

        foreach (var upn in new[] { "lobby@contoso.com", "hall@contoso.com" })
        {
            cut.FindAll("tbody tr.mud-table-row").Single(r => r.TextContent.Contains(upn, StringComparison.Ordinal))
                .QuerySelector("input[type=checkbox]")!.Change(true);
        }

        cut.WaitForAssertion(() => Assert.Contains("Assign room group (2)", cut.Find("[data-testid=assign-room-group]").TextContent, StringComparison.Ordinal));
        cut.Find("[data-testid=assign-room-group] button").Click();
        var branch = popovers.WaitForElements("[data-testid=assign-to]").Single(e => e.TextContent.Trim() == "Branch");
        branch.Click();

        cut.WaitForAssertion(() => Assert.Contains("Moved 2 resource accounts to Branch.", Snackbars));
        Assert.Equal("Branch", (await AccountAsync(lobby)).RoomGroupName);
        Assert.Equal("Branch", (await AccountAsync(hall)).RoomGroupName);
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr.mud-table-row").Count(r => r.TextContent.Contains("Branch", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_site_lead_sees_neither_the_assignment_nor_the_create_missing_groups_box()
    {
        await Provisioning.CreateAccountAsync("lobby@contoso.com", roomGroup: "HQ", ct: Ct);
        var hq = (await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct)).Single();
        SignInAs(RoomsPortal.Web.Security.PortalRoles.SiteLead, hq.Id);

        var cut = RenderPage<ResourceAccountsPage>();

        cut.WaitForAssertion(() => Assert.Contains("lobby@contoso.com", cut.Markup, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=assign-room-group]"));
        Assert.Empty(cut.FindAll("[data-testid=import-create-groups]"));
    }

    [Fact]
    public async Task A_manager_imports_into_room_groups_that_do_not_exist_yet_by_ticking_create_missing_room_groups()
    {
        var cut = RenderPage<ResourceAccountsPage>();
        cut.WaitForElement("[data-testid=empty-state]");

        var box = cut.FindComponents<MudCheckBox<bool>>().Single(c => c.Markup.Contains("empty-import-create-groups", StringComparison.Ordinal));
        await box.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(true));
        cut.FindComponents<InputFile>()[0].UploadFiles(InputFileContent.CreateFromText(
            "upn,display name,room group,password\na@contoso.com,Room A,Berlin,\nb@contoso.com,Room B,Paris,\n", "rooms.csv"));

        cut.WaitForAssertion(() => Assert.Contains("Imported 2 resource accounts and created the room groups Berlin, Paris.", Snackbars));
        Assert.Equal(["Berlin", "Paris"], (await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct)).Select(g => g.Name));
        var accounts = await Service<ResourceAccountService>().ListAsync(new ResourceAccountQuery(), AccessScope.All, Ct);
        Assert.All(accounts.Items, a => Assert.Equal(Readiness.NoActionNeeded, a.Readiness));
    }

    [Fact]
    public void Without_the_box_ticked_a_missing_room_group_is_an_error_that_names_the_box()
    {
        var cut = RenderPage<ResourceAccountsPage>();
        cut.WaitForElement("[data-testid=empty-state]");

        cut.FindComponents<InputFile>()[0].UploadFiles(InputFileContent.CreateFromText(
            "upn,display name,room group,password\na@contoso.com,Room A,Berlin,\n", "rooms.csv"));

        cut.WaitForAssertion(() => Assert.Contains("tick \"create missing room groups\"", cut.Find("[data-testid=import-errors]").TextContent, StringComparison.Ordinal));
    }
}
