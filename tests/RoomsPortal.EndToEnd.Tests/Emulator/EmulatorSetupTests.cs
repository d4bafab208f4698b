using Microsoft.Playwright;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.Emulator;

/// <summary>The emulator in Chromium walks a console from Welcome to signed in, against the real portal.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EmulatorSetupTests(BrowserFixture browser)
{
    private const string Upn = "room-4.12@contoso.com";
    private const string Password = "Room-Pass-1234!";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Otp_path_waits_for_approval_and_ends_signed_in()
    {
        await using var portal = new PortalFactory().WithDemoData().UseRealPort();
        var admin = new PortalProvisioning(portal.Services);
        await admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var account = await admin.CreateAccountAsync(Upn, Password, ct: Ct);
        var otp = await admin.IssueOtpAsync(account, Upn, Password, Ct);
        await using var emulator = new EmulatorFactory(portal.ServerAddress);
        await using var context = await browser.Browser.NewContextAsync();
        var console = new EmulatorPage(await context.NewPageAsync(), emulator.ServerAddress);

        await console.OpenAsync("certified", "SN-E2E-OTP");
        await console.GetStartedAsync();
        await console.AcceptAgreementAsync();
        await console.EnterOtpAsync(otp.Code.ToLowerInvariant());
        await Assertions.Expect(console.Screen("pending")).ToContainTextAsync("An IT admin needs to approve this console");
        await Assertions.Expect(console.Page.GetByTestId("connection")).ToContainTextAsync("connected");
        await console.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("emulator-pending") });
        var pending = await admin.PendingRequestIdAsync(Ct);
        await admin.ApproveAsync(pending, Ct);

        await Assertions.Expect(console.Screen("signed-in")).ToBeVisibleAsync();
        await Assertions.Expect(console.Page.GetByTestId("signed-in-account")).ToHaveTextAsync(Upn);
        await console.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("emulator-signed-in") });
        Assert.Equal("SN-E2E-OTP", await admin.InventorySerialAsync(Ct));
    }

    [Fact]
    public async Task Manual_path_with_email_and_password_ends_signed_in()
    {
        await using var portal = new PortalFactory().WithDemoData().UseRealPort();
        var admin = new PortalProvisioning(portal.Services);
        await admin.CreateAccountAsync(Upn, Password, ct: Ct);
        await using var emulator = new EmulatorFactory(portal.ServerAddress);
        await using var context = await browser.Browser.NewContextAsync();
        var console = new EmulatorPage(await context.NewPageAsync(), emulator.ServerAddress);

        await console.OpenAsync("certified", "SN-E2E-MANUAL");
        await console.GetStartedAsync();
        await console.AcceptAgreementAsync();
        await console.ManualSetupAsync(Upn, "wrong-password");
        await Assertions.Expect(console.Page.GetByTestId("console-error")).ToContainTextAsync("email or password is incorrect");
        await console.Page.GetByTestId("password").FillAsync(Password);
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Finish" }).ClickAsync();

        await Assertions.Expect(console.Screen("signed-in")).ToBeVisibleAsync();
        await Assertions.Expect(console.Page.GetByTestId("signed-in-account")).ToHaveTextAsync(Upn);
        Assert.Equal("SN-E2E-MANUAL", await admin.InventorySerialAsync(Ct));
    }
}
