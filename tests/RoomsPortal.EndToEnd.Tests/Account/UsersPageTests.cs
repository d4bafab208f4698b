using Microsoft.Playwright;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.Account;

[Collection(BrowserCollection.Name)]
public sealed class UsersPageTests(BrowserFixture browser)
{
    [Fact]
    public async Task Administrator_adds_a_user_and_gets_a_one_time_password_to_hand_over()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();
        await new SignInPage(page, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);
        var shell = new PortalPage(page, portal.ServerAddress);

        await shell.GotoAsync("/settings/users");
        await page.GetByLabel("User name").FillAsync("new.technician");
        await page.GetByTestId("add-user").ClickAsync();

        await Assertions.Expect(page.GetByTestId("one-time-password")).ToContainTextAsync("new.technician");
        await Assertions.Expect(page.GetByTestId("users")).ToContainTextAsync("Helpdesk / Site Technician");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("settings-users"), FullPage = true });
    }
}
