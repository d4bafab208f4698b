using Microsoft.Playwright;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.Emulator;

[Collection(BrowserCollection.Name)]
public sealed class EmulatorVerificationTests(BrowserFixture browser)
{
    [Fact]
    public async Task Console_without_its_ingest_module_shows_the_troubleshooting_steps()
    {
        await using var portal = new PortalFactory().WithDemoData().UseRealPort();
        await using var emulator = new EmulatorFactory(portal.ServerAddress);
        await using var context = await browser.Browser.NewContextAsync();
        var console = new EmulatorPage(await context.NewPageAsync(), emulator.ServerAddress);

        await console.OpenAsync("missing-ingest");
        await Assertions.Expect(console.Screen("welcome")).ToBeVisibleAsync();
        await console.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("emulator-welcome") });
        await console.GetStartedAsync();

        var failed = console.Screen("verification-failed");
        await Assertions.Expect(failed).ToContainTextAsync("couldn't be found");
        await Assertions.Expect(console.Page.GetByTestId("troubleshooting")).ToContainTextAsync("HDMI ingest module that came with the console");
        await Assertions.Expect(console.Page.GetByTestId("troubleshooting")).ToContainTextAsync("manufacturer or the seller");
        await console.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("emulator-verification-failed") });
    }

    [Fact]
    public async Task Certified_console_passes_verification_and_reaches_the_account_setup_screen()
    {
        await using var portal = new PortalFactory().WithDemoData().UseRealPort();
        await using var emulator = new EmulatorFactory(portal.ServerAddress);
        await using var context = await browser.Browser.NewContextAsync();
        var console = new EmulatorPage(await context.NewPageAsync(), emulator.ServerAddress);

        await console.OpenAsync("certified");
        await console.GetStartedAsync();
        await Assertions.Expect(console.Screen("agreement")).ToBeVisibleAsync();
        await console.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("emulator-agreement") });
        await console.AcceptAgreementAsync();

        await Assertions.Expect(console.Screen("set-up-account")).ToContainTextAsync("Set up Microsoft Teams Room account");
        await Assertions.Expect(console.Page.GetByTestId("manual-setup-link")).ToBeVisibleAsync();
        await console.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("emulator-set-up-account") });
    }
}
