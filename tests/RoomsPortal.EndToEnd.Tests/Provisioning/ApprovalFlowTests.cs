using Microsoft.Playwright;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.Provisioning;

/// <summary>
/// Both sides at once: an admin in one browser context, a console (the emulator) in another, against one portal
/// over a real port. The admin never reloads: requests arrive and leave through the portal's live updates.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ApprovalFlowTests(BrowserFixture browser) : IAsyncDisposable
{
    private const string Upn = "room-4.12@contoso.com";
    private const string Password = "Room-Pass-1234!";

    private static readonly BrowserNewContextOptions Laptop = new() { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } };

    private readonly List<IBrowserContext> _contexts = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }
    }

    private async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var context = await browser.Browser.NewContextAsync(options);
        _contexts.Add(context);
        return context;
    }

    private async Task<(ApprovalsPage Admin, EmulatorPage Console)> OpenBothAsync(PortalFactory portal, EmulatorFactory emulator, string serial)
    {
        var provisioning = new PortalProvisioning(portal.Services);
        await provisioning.SetPreferencesAsync(autoApproval: false, ct: Ct);
        await provisioning.CreateAccountAsync(Upn, Password, ct: Ct);

        // The admin issues the code in the Generate OTP wizard, keeping the account's password (sign-in data CSV).
        var adminContext = await NewContextAsync(Laptop);
        var adminPage = await adminContext.NewPageAsync();
        await new SignInPage(adminPage, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);
        var code = await new GenerateOtpWizardPage(adminPage, portal.ServerAddress)
            .GenerateForOneAccountAsync(Upn, $"upn,password\n{Upn},{Password}\n");
        var admin = new ApprovalsPage(adminPage, portal.ServerAddress);
        await admin.OpenAsync();
        await Assertions.Expect(admin.Empty).ToBeVisibleAsync();

        var consoleContext = await NewContextAsync();
        var console = new EmulatorPage(await consoleContext.NewPageAsync(), emulator.ServerAddress);
        await console.OpenAsync("certified", serial);
        await console.GetStartedAsync();
        await console.AcceptAgreementAsync();
        await console.EnterOtpAsync(code);
        await Assertions.Expect(console.Screen("pending")).ToBeVisibleAsync();
        return (admin, console);
    }

    [Fact]
    public async Task Admin_approves_a_console_live_and_it_signs_in_and_joins_the_inventory()
    {
        await using var portal = new PortalFactory().WithDemoData().UseRealPort();
        await using var emulator = new EmulatorFactory(portal.ServerAddress);
        var (admin, console) = await OpenBothAsync(portal, emulator, "SN-E2E-APPROVE");

        await Assertions.Expect(admin.Row("SN-E2E-APPROVE")).ToContainTextAsync(Upn);
        await Assertions.Expect(admin.Row("SN-E2E-APPROVE")).ToContainTextAsync("Building 4");
        await Assertions.Expect(admin.Badge).ToHaveTextAsync("1");
        await admin.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("approvals"), FullPage = true });
        await admin.ApproveAsync("SN-E2E-APPROVE");

        await Assertions.Expect(admin.Page.Locator(".mud-snackbar")).ToContainTextAsync("Approved.");
        await Assertions.Expect(admin.Empty).ToBeVisibleAsync();
        await Assertions.Expect(admin.Badge).ToHaveCountAsync(0);
        await Assertions.Expect(console.Screen("signed-in")).ToBeVisibleAsync();
        await Assertions.Expect(console.Page.GetByTestId("signed-in-account")).ToHaveTextAsync(Upn);

        var devices = new DevicesPage(admin.Page, portal.ServerAddress);
        await devices.OpenAsync();
        await Assertions.Expect(devices.Serials).ToHaveTextAsync(["SN-E2E-APPROVE"]);
        await Assertions.Expect(devices.Page.GetByTestId("devices-grid")).ToContainTextAsync(Upn);
        await devices.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("devices"), FullPage = true });

        await devices.GotoAsync("/");
        await Assertions.Expect(devices.Page.GetByTestId("card-ready-accounts-value")).ToHaveTextAsync("1");
        await devices.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("dashboard"), FullPage = true });

        await devices.GotoAsync("/audit");
        await Assertions.Expect(devices.Page.GetByTestId("audit-grid")).ToContainTextAsync("Approvals.Approved");
        await devices.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("audit-log"), FullPage = true });
    }

    [Fact]
    public async Task Admin_rejects_a_console_with_a_reason_and_the_console_shows_it()
    {
        await using var portal = new PortalFactory().WithDemoData().UseRealPort();
        await using var emulator = new EmulatorFactory(portal.ServerAddress);
        var (admin, console) = await OpenBothAsync(portal, emulator, "SN-E2E-REJECT");

        await Assertions.Expect(admin.Row("SN-E2E-REJECT")).ToBeVisibleAsync();
        await admin.RejectAsync("SN-E2E-REJECT", "Wrong room or resource account", "This console belongs in room 4.21");

        await Assertions.Expect(admin.Page.Locator(".mud-snackbar")).ToContainTextAsync("Rejected.");
        await Assertions.Expect(admin.Empty).ToBeVisibleAsync();
        await Assertions.Expect(console.Screen("rejected")).ToBeVisibleAsync();
        await Assertions.Expect(console.Page.GetByTestId("rejection-reason")).ToContainTextAsync("WrongRoom");
        await Assertions.Expect(console.Screen("rejected")).ToContainTextAsync("This console belongs in room 4.21");
    }

    [Fact]
    public async Task Console_without_its_ingest_module_shows_on_the_verification_failures_page_with_its_steps()
    {
        await using var portal = new PortalFactory().WithDemoData().UseRealPort();
        await using var emulator = new EmulatorFactory(portal.ServerAddress);
        await using var consoleContext = await NewContextAsync();
        var console = new EmulatorPage(await consoleContext.NewPageAsync(), emulator.ServerAddress);
        await console.OpenAsync("missing-ingest", "SN-E2E-NOINGEST");
        await console.GetStartedAsync();
        await Assertions.Expect(console.Screen("verification-failed")).ToBeVisibleAsync();

        await using var adminContext = await NewContextAsync(Laptop);
        var adminPage = await adminContext.NewPageAsync();
        await new SignInPage(adminPage, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);
        var failures = new VerificationFailuresPage(adminPage, portal.ServerAddress);
        await failures.OpenAsync();

        await Assertions.Expect(failures.Grid).ToContainTextAsync("SN-E2E-NOINGEST");
        await Assertions.Expect(failures.Reasons).ToHaveTextAsync(["Verification information not found"]);
        await Assertions.Expect(failures.Steps).ToContainTextAsync("Connect the HDMI ingest module that came with the console");
        await Assertions.Expect(failures.Page.GetByTestId("failures-per-model")).ToBeVisibleAsync();
        await failures.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("verification-failures"), FullPage = true });
    }
}
