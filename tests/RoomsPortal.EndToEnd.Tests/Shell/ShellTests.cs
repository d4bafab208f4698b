using Microsoft.Playwright;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.Shell;

[Collection(BrowserCollection.Name)]
public sealed class ShellTests(BrowserFixture browser)
{
    [Fact]
    public async Task Portal_opens_in_chromium_over_a_real_port_and_navigates_between_areas()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();
        await new SignInPage(page, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);
        var shell = new PortalPage(page, portal.ServerAddress);

        await shell.GotoAsync("/");
        await Assertions.Expect(shell.Heading).ToHaveTextAsync("Dashboard");
        await Assertions.Expect(shell.Page.GetByText("RoomsPortal").First).ToBeVisibleAsync();
        await shell.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("dashboard-new-install"), FullPage = true });

        await shell.Navigation.GetByText("Approvals").ClickAsync();
        await Assertions.Expect(shell.Page).ToHaveURLAsync(new Uri(portal.ServerAddress, "/approvals").ToString());
        await Assertions.Expect(shell.Heading).ToHaveTextAsync("Approvals");
    }

    [Fact]
    public async Task Dark_mode_toggle_repaints_the_portal()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await new SignInPage(page, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);
        var shell = new PortalPage(page, portal.ServerAddress);
        await shell.GotoAsync("/");
        var light = await shell.BackgroundColorAsync();

        await shell.DarkModeToggle.ClickAsync();

        await Assertions.Expect(shell.Page.Locator("body")).Not.ToHaveCSSAsync("background-color", light);
        await shell.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("dashboard-dark") });
    }

    [Fact]
    public async Task Unknown_address_shows_the_not_found_page_with_a_way_back()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await new SignInPage(page, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);

        var response = await page.GotoAsync(new Uri(portal.ServerAddress, "/no-such-page").ToString());

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByTestId("not-found")).ToContainTextAsync("Page not found");
        await Assertions.Expect(page.GetByText("Back to the dashboard")).ToBeVisibleAsync();
    }
}
