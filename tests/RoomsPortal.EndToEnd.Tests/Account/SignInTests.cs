using Microsoft.Playwright;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.EndToEnd.Tests.Account;

[Collection(BrowserCollection.Name)]
public sealed class SignInTests(BrowserFixture browser)
{
    [Fact]
    public async Task Helpdesk_user_signs_in_and_sees_only_what_the_role_allows()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await portal.CreateUserAsync("helpdesk.tech", "helpdesk-password-1", PortalRoles.Helpdesk);
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(portal.ServerAddress, "/devices").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/sign-in\\?returnUrl=%2Fdevices"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("sign-in") });
        await new SignInPage(page, portal.ServerAddress).SignInAsync("helpdesk.tech", "helpdesk-password-1");

        var shell = new PortalPage(page, portal.ServerAddress);
        await shell.WaitUntilInteractiveAsync();
        await Assertions.Expect(shell.Heading).ToHaveTextAsync("Devices");
        await Assertions.Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync("helpdesk.tech");
        var links = await shell.Navigation.Locator("a").AllInnerTextsAsync();
        Assert.Equal(["Dashboard", "Devices", "Verification failures"], links.Select(l => l.Trim()));

        await shell.GotoAsync("/settings");
        await Assertions.Expect(page.GetByTestId("access-denied")).ToContainTextAsync("You don't have access to this page");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("access-denied") });
    }

    [Fact]
    public async Task Wrong_password_shows_a_clear_error_in_the_portal_look()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await using var context = await browser.Browser.NewContextAsync();
        var signIn = new SignInPage(await context.NewPageAsync(), portal.ServerAddress);

        await signIn.SignInAsync(PortalFactory.AdminUserName, "not-the-password");

        await Assertions.Expect(signIn.Error).ToHaveTextAsync(PortalAuthentication.SignInFailedMessage);
        await signIn.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("sign-in-error") });
    }

    [Fact]
    public async Task Administrator_signs_out_from_the_app_bar_menu()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await new SignInPage(page, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);
        var shell = new PortalPage(page, portal.ServerAddress);
        await shell.WaitUntilInteractiveAsync();

        await page.GetByTestId("signed-in-user").ClickAsync();
        await page.GetByTestId("sign-out").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/account/sign-in", StringComparison.OrdinalIgnoreCase));

        await Assertions.Expect(page.GetByTestId("signed-out")).ToBeVisibleAsync();
        await page.GotoAsync(new Uri(portal.ServerAddress, "/").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/sign-in"));
    }
}
