using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.Account;

/// <summary>The automation API's reference page (Scalar), as an admin opens it: Production, the portal's own CSP, no network.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ApiReferenceTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_signed_in_admin_reads_the_API_reference_rendered_from_the_live_document()
    {
        await using var portal = new PortalFactory().InProduction().UseRealPort();
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                refused.Add(message.Text);
            }
        };

        await page.GotoAsync(new Uri(portal.ServerAddress, "/reference/v1").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/sign-in\\?returnUrl=%2Freference%2Fv1"));
        await new SignInPage(page, portal.ServerAddress).SignInAsync(PortalFactory.AdminUserName, PortalFactory.AdminPassword);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/reference/v1$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "RoomsPortal automation API" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("List room groups").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Create a room group").First).ToBeVisibleAsync();
        // Nothing on the page offers to send the customer's document to an outside service.
        await Assertions.Expect(page.GetByText("Share", new() { Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Generate SDK", new() { Exact = true })).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("api-reference") });
        Assert.Empty(refused);
    }
}
