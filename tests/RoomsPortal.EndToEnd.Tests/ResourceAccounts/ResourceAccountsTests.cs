using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.ResourceAccounts;

/// <summary>An admin imports resource accounts, runs the Generate OTP wizard and decides on a console's request.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ResourceAccountsTests(BrowserFixture browser)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_imports_accounts_generates_an_otp_and_approves_the_console_that_redeems_it()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await portal.Services.GetRequiredService<RoomGroupService>().CreateAsync("Building 4", PortalProvisioning.Admin, Ct);
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            AcceptDownloads = true,
        });
        var accounts = new ResourceAccountsPage(await SignedInPageAsync(context, portal), portal.ServerAddress);

        // Import: a bad file is reported line by line and imports nothing; the fixed one imports every row.
        await accounts.OpenAsync();
        await Assertions.Expect(accounts.EmptyState).ToContainTextAsync("No resource accounts yet.");
        await accounts.ImportAsync("upn,display name,room group,password\nlobby@contoso.com,Lobby,Building 4,\nbad,Bad,Building 4,\n");
        await Assertions.Expect(accounts.ImportErrors).ToContainTextAsync("Nothing was imported.");
        await Assertions.Expect(accounts.ImportErrors).ToContainTextAsync("the UPN is not a valid address");
        await accounts.ImportAsync(
            "upn,display name,room group,password\n"
            + "lobby@contoso.com,Lobby,Building 4,\n"
            + "boardroom@contoso.com,Boardroom,Building 4,Board-Pass-1\n"
            + "annex@contoso.com,Annex,,\n");
        await Assertions.Expect(accounts.Page.GetByText("Imported 3 resource accounts.")).ToBeVisibleAsync();
        await Assertions.Expect(accounts.Row("annex@contoso.com")).ToContainTextAsync("Needs action");
        await Assertions.Expect(accounts.Row("annex@contoso.com")).ToContainTextAsync("no sign-in data, no room group");
        await accounts.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("resource-accounts"), FullPage = true });
        await accounts.DarkModeToggle.ClickAsync();
        await accounts.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("resource-accounts-dark"), FullPage = true });
        await accounts.DarkModeToggle.ClickAsync();
        await accounts.Page.SetViewportSizeAsync(820, 1180);
        await accounts.Page.Locator(".mud-drawer.mud-drawer--closed").WaitForAsync();
        await Assertions.Expect(accounts.Page.Locator(".mud-main-content")).ToHaveCSSAsync("margin-left", "0px");
        await accounts.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("resource-accounts-tablet"), FullPage = true });
        await accounts.Page.SetViewportSizeAsync(1366, 900);

        // Wizard: preselected from the grid, through Review to the codes.
        var wizard = await accounts.GenerateOtpAsync("lobby@contoso.com");
        await Assertions.Expect(wizard.Page.GetByTestId("selected-count")).ToHaveTextAsync("1 selected");
        await Assertions.Expect(wizard.Page.GetByTestId("select-annex@contoso.com")).ToBeDisabledAsync();
        await wizard.NextAsync();
        await wizard.ConfigurationStep.WaitForAsync();
        await wizard.NextAsync();
        await Assertions.Expect(wizard.ReviewStep).ToContainTextAsync("8 hours");
        await wizard.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("generate-otp-review"), FullPage = true });
        await wizard.GenerateAsync();
        var code = (await wizard.CodesByUpnAsync())["lobby@contoso.com"];
        Assert.Matches("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", code);
        await wizard.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("generate-otp-result"), FullPage = true });
        var csv = await wizard.DownloadCsvAsync();
        Assert.Contains($"lobby@contoso.com,Lobby,{code},", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(code, wizard.Page.Url, StringComparison.Ordinal);

        // A console redeems the code (the emulator's part is covered elsewhere); the admin decides on the account's OTP tab.
        var redeemed = await portal.Services.GetRequiredService<ApprovalService>().RedeemAsync(
            code, new DeviceInfo("SN-E2E-0042", "Contoso", "RoomConsole 10", "1.4.2"), "10.0.0.42", Ct);
        Assert.True(redeemed.Succeeded);
        await accounts.OpenAsync();
        await Assertions.Expect(accounts.Row("lobby@contoso.com").GetByTestId("awaiting-approval")).ToBeVisibleAsync();
        await accounts.OpenAccountAsync("lobby@contoso.com");
        await accounts.Page.GetByRole(AriaRole.Tab, new() { Name = "OTP" }).ClickAsync();
        await Assertions.Expect(accounts.Page.GetByTestId("device-serial")).ToHaveTextAsync("SN-E2E-0042");
        await accounts.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("account-detail"), FullPage = true });
        await accounts.Page.GetByTestId("decide").ClickAsync();
        await accounts.Page.GetByTestId("decision-submit").ClickAsync();
        await Assertions.Expect(accounts.Page.GetByText("Approved. The console SN-E2E-0042 signs in as lobby@contoso.com.")).ToBeVisibleAsync();
        await Assertions.Expect(accounts.Page.GetByTestId("pending-request")).ToHaveCountAsync(0);
        await Assertions.Expect(accounts.Page.GetByTestId("otp-state")).ToContainTextAsync("Used by SN-E2E-0042");
    }

    [Fact]
    public async Task Import_takes_the_largest_file_the_limits_allow_through_the_circuit()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await portal.Services.GetRequiredService<RoomGroupService>().CreateAsync("Building 4", PortalProvisioning.Admin, Ct);
        await using var context = await browser.Browser.NewContextAsync();
        var accounts = new ResourceAccountsPage(await SignedInPageAsync(context, portal), portal.ServerAddress);
        var csv = LargestAcceptedCsv();
        Assert.Equal(CsvLimits.MaxBytes, System.Text.Encoding.UTF8.GetByteCount(csv));

        // The file travels in chunks over the Blazor circuit's hub, which must not carry the console hub's 4 KB limit.
        await accounts.OpenAsync();
        await accounts.ImportAsync(csv, "largest.csv");

        await Assertions.Expect(accounts.Page.GetByText($"Imported {CsvLimits.MaxRows} resource accounts."))
            .ToBeVisibleAsync(new() { Timeout = 120_000 });
        var listed = await portal.Services.GetRequiredService<ResourceAccountService>()
            .ListAsync(new ResourceAccountQuery(PageSize: 1), AccessScope.All, Ct);
        Assert.Equal(CsvLimits.MaxRows, listed.TotalCount);
    }

    /// <summary>A CSV of exactly <see cref="CsvLimits.MaxRows"/> accounts and <see cref="CsvLimits.MaxBytes"/> bytes.</summary>
    private static string LargestAcceptedCsv()
    {
        const string Header = "upn,display name,room group,password\n";
        var rows = Enumerable.Range(1, CsvLimits.MaxRows)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"room-{i:0000}@contoso.example,Room {i:0000} ,Building 4,Pass-{i:0000}\n"))
            .ToList();
        // The space after each display name marks where its padding goes (and is replaced by it).
        var missing = CsvLimits.MaxBytes - Header.Length - rows.Sum(r => r.Length - 1);
        var each = Math.DivRem(missing, rows.Count, out var extra);
        var csv = new StringBuilder(CsvLimits.MaxBytes).Append(Header);
        for (var i = 0; i < rows.Count; i++)
        {
            var padding = new string('x', each + (i < extra ? 1 : 0));
            csv.Append(rows[i].Replace(" ,Building", padding + ",Building", StringComparison.Ordinal));
        }

        return csv.ToString();
    }

    [Fact]
    public async Task Wizard_page_object_runs_for_one_account_keeping_its_password()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await new PortalProvisioning(portal.Services).CreateAccountAsync("room-7@contoso.com", ct: Ct);
        await using var context = await browser.Browser.NewContextAsync();
        var wizard = new GenerateOtpWizardPage(await SignedInPageAsync(context, portal), portal.ServerAddress);

        var code = await wizard.GenerateForOneAccountAsync("room-7@contoso.com", "upn,password\nroom-7@contoso.com,Kept-Pass-7\n");

        Assert.Equal(14, code.Length);
        var withPasswords = await wizard.DownloadCsvAsync(withPasswords: true);
        Assert.Contains($"room-7@contoso.com,Room room-7@contoso.com,{code},", withPasswords, StringComparison.Ordinal);
        Assert.Contains(",Kept-Pass-7", withPasswords, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preferences_reject_an_out_of_range_custom_validity_and_save_a_valid_one()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await portal.Services.GetRequiredService<RoomGroupService>().CreateAsync("Building 4", PortalProvisioning.Admin, Ct);
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        var shell = new PortalPage(await SignedInPageAsync(context, portal), portal.ServerAddress);
        await shell.GotoAsync("/settings");
        await shell.Page.GetByTestId("open-preferences").ClickAsync();
        await shell.WaitUntilInteractiveAsync();
        await Assertions.Expect(shell.Heading).ToHaveTextAsync("Preferences");
        await shell.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("preferences"), FullPage = true });

        await shell.Page.GetByTestId("validity-custom").CheckAsync();
        var hours = shell.Page.GetByTestId("validity-custom-hours");
        await hours.FillAsync("337");
        await hours.BlurAsync();
        await Assertions.Expect(shell.Page.GetByText("Enter a whole number of hours from 1 to 336.").First).ToBeVisibleAsync();
        await hours.FillAsync("36");
        await hours.BlurAsync();
        await shell.Page.GetByTestId("save").ClickAsync();

        await Assertions.Expect(shell.Page.GetByText("Preferences saved.")).ToBeVisibleAsync();
        var saved = await portal.Services.GetRequiredService<Core.Preferences.PreferencesService>().GetAsync(Ct);
        Assert.Equal(36, saved.OtpValidityHours);
    }

    /// <summary>A page signed in as the bootstrap administrator (a Rooms Pro Manager).</summary>
    private static async Task<IPage> SignedInPageAsync(IBrowserContext context, PortalFactory portal)
    {
        var page = await context.NewPageAsync();
        await new SignInPage(page, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);
        return page;
    }
}
