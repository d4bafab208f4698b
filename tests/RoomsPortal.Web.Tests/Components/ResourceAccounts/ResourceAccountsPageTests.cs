using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Web.Components.Pages.ResourceAccounts;
using ResourceAccountsPage = RoomsPortal.Web.Components.Pages.ResourceAccounts.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.ResourceAccounts;

public sealed class ResourceAccountsPageTests : AccountPageContext
{
    [Fact]
    public async Task Grid_shows_accounts_with_readiness_in_words_and_awaiting_approval_stands_out()
    {
        var ready = await Provisioning.CreateAccountAsync("ready@contoso.com", ct: Ct);
        var waiting = await Provisioning.CreateAccountAsync("waiting@contoso.com", ct: Ct);
        await ImportAsync("nogroup@contoso.com,No Group Room,,");
        await PendingRequestAsync(waiting, "waiting@contoso.com");

        var cut = RenderPage<ResourceAccountsPage>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.mud-table-row").Count(r => r.QuerySelector("td") is not null)));
        var rows = cut.FindAll("tbody tr.mud-table-row");
        var readyRow = rows.Single(r => r.TextContent.Contains("ready@contoso.com", StringComparison.Ordinal));
        Assert.Contains("Building 4", readyRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("No action needed", readyRow.TextContent, StringComparison.Ordinal);
        var noGroupRow = rows.Single(r => r.TextContent.Contains("nogroup@contoso.com", StringComparison.Ordinal));
        Assert.Contains("Needs action", noGroupRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("no sign-in data, no room group", noGroupRow.TextContent, StringComparison.Ordinal);
        var waitingRow = rows.Single(r => r.TextContent.Contains("waiting@contoso.com", StringComparison.Ordinal));
        Assert.Equal("Awaiting OTP Approval", waitingRow.QuerySelector("[data-testid=awaiting-approval]")!.TextContent.Trim());
        Assert.NotEqual(Guid.Empty, ready);
    }

    [Fact]
    public async Task A_console_redeeming_while_the_page_is_open_shows_awaiting_approval_without_a_reload()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var cut = RenderPage<ResourceAccountsPage>();
        cut.WaitForAssertion(() => Assert.Contains("lobby@contoso.com", cut.Find("[data-testid=accounts-grid]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=awaiting-approval]"));

        await PendingRequestAsync(lobby, "lobby@contoso.com");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=awaiting-approval]")));
    }

    [Fact]
    public void Without_accounts_the_page_says_to_import_a_csv()
    {
        var cut = RenderPage<ResourceAccountsPage>();

        cut.WaitForAssertion(() => Assert.Contains(
            "No resource accounts yet. Import a CSV with upn, display name, room group, password.",
            cut.Find("[data-testid=empty-state]").TextContent, StringComparison.Ordinal));
        Assert.NotNull(cut.Find("[data-testid=empty-state] [data-testid=empty-import]"));
        Assert.Empty(cut.FindAll("[data-testid=accounts-grid]"));
    }

    [Fact]
    public async Task Import_with_bad_rows_lists_each_line_and_imports_nothing()
    {
        await Service<Core.RoomGroups.RoomGroupService>().CreateAsync("HQ", Admin, Ct);
        var cut = RenderPage<ResourceAccountsPage>();
        cut.WaitForElement("[data-testid=empty-state]");

        cut.FindComponents<InputFile>()[0].UploadFiles(InputFileContent.CreateFromText(
            "upn,display name,room group,password\ngood@contoso.com,Good,HQ,\nnot-an-address,Bad,HQ,\nx@contoso.com,Typo,Nowhere,\n", "rooms.csv"));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=import-error]").Count));
        var report = cut.Find("[data-testid=import-errors]").TextContent;
        Assert.Contains("Nothing was imported.", report, StringComparison.Ordinal);
        Assert.Contains("rooms.csv", report, StringComparison.Ordinal);
        var lines = cut.FindAll("[data-testid=import-error]").Select(r => r.QuerySelector("td")!.TextContent).ToList();
        Assert.Equal(["3", "4"], lines);
        Assert.Contains("does not exist", report, StringComparison.Ordinal);
        Assert.Equal(0, (await Service<ResourceAccountService>().ListAsync(new ResourceAccountQuery(), AccessScope.All, Ct)).TotalCount);
        Assert.NotNull(cut.Find("[data-testid=empty-state]"));
    }

    [Fact]
    public async Task Import_that_succeeds_reports_the_count_and_shows_the_grid()
    {
        await Service<Core.RoomGroups.RoomGroupService>().CreateAsync("HQ", Admin, Ct);
        var cut = RenderPage<ResourceAccountsPage>();
        cut.WaitForElement("[data-testid=empty-state]");

        cut.FindComponents<InputFile>()[0].UploadFiles(InputFileContent.CreateFromText(
            "upn,display name,room group,password\na@contoso.com,Room A,HQ,Pw-1\nb@contoso.com,Room B,HQ,Pw-2\n", "rooms.csv"));

        cut.WaitForAssertion(() => Assert.Contains("Imported 2 resource accounts.", Snackbars));
        cut.WaitForAssertion(() => Assert.Contains("b@contoso.com", cut.Find("[data-testid=accounts-grid]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=empty-state]"));
    }

    [Fact]
    public async Task Search_filters_in_the_database_and_says_when_nothing_matches()
    {
        await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        var cut = RenderPage<ResourceAccountsPage>();
        cut.WaitForAssertion(() => Assert.Contains("lobby@contoso.com", cut.Markup, StringComparison.Ordinal));

        var search = cut.FindComponent<MudBlazor.MudTextField<string>>();
        await SetAsync<MudBlazor.MudTextField<string>, string>(search, "board");

        cut.WaitForAssertion(() =>
        {
            Assert.DoesNotContain("lobby@contoso.com", cut.Find("[data-testid=accounts-grid]").TextContent, StringComparison.Ordinal);
            Assert.Contains("boardroom@contoso.com", cut.Find("[data-testid=accounts-grid]").TextContent, StringComparison.Ordinal);
        });
        await SetAsync<MudBlazor.MudTextField<string>, string>(search, "kitchen");
        cut.WaitForAssertion(() => Assert.Contains("No resource account matches \"kitchen\"", cut.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Generate_otp_hands_the_selected_rows_to_the_wizard()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        var cut = RenderPage<ResourceAccountsPage>();
        cut.WaitForAssertion(() => Assert.Contains("lobby@contoso.com", cut.Markup, StringComparison.Ordinal));

        var row = cut.FindAll("tbody tr.mud-table-row").Single(r => r.TextContent.Contains("lobby@contoso.com", StringComparison.Ordinal));
        row.QuerySelector("input[type=checkbox]")!.Change(true);
        cut.WaitForAssertion(() => Assert.Contains("Generate OTP (1)", cut.Find("[data-testid=generate-otp]").TextContent, StringComparison.Ordinal));
        cut.Find("[data-testid=generate-otp]").Click();

        Assert.EndsWith("/planning/resource-accounts/generate-otp", Service<NavigationManager>().Uri, StringComparison.Ordinal);
        Assert.Equal([lobby], Service<OtpWizardSelection>().Take());
    }

    [Fact]
    public async Task Row_click_opens_the_account()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var cut = RenderPage<ResourceAccountsPage>();
        cut.WaitForAssertion(() => Assert.Contains("lobby@contoso.com", cut.Markup, StringComparison.Ordinal));

        cut.FindAll("tbody tr.mud-table-row").Single(r => r.TextContent.Contains("lobby@contoso.com", StringComparison.Ordinal))
            .QuerySelectorAll("td")[2].Click();

        Assert.EndsWith($"/planning/resource-accounts/{lobby}", Service<NavigationManager>().Uri, StringComparison.Ordinal);
    }
}
