using Bunit;
using RoomsPortal.Testing;
using RoomsPortal.Web.Tests.Support;
using DevicesPage = RoomsPortal.Web.Components.Pages.Devices.Devices;

namespace RoomsPortal.Web.Tests.Components.Devices;

public sealed class DevicesPageTests : PortalComponentContext
{
    [Fact]
    public void Empty_inventory_says_how_consoles_get_here()
    {
        var page = RenderPage<DevicesPage>();

        page.WaitForAssertion(() => Assert.Contains("A console appears here once it signs in",
            page.Find("[data-testid='devices-empty']").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lists_approved_consoles_and_searches_them()
    {
        var seed = new PendingRequests(Services);
        await new PortalProvisioning(Services).ApproveAsync(await seed.RedeemAsync("room-1@contoso.com", "SN-DEV-1", ct: Ct), Ct);
        await new PortalProvisioning(Services).ApproveAsync(await seed.RedeemAsync("room-2@contoso.com", "SN-DEV-2", roomGroup: "Building 9", ct: Ct), Ct);

        var page = RenderPage<DevicesPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid='device-serial']").Count));
        Assert.Contains("room-2@contoso.com", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Building 9", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Not yet", page.Markup, StringComparison.Ordinal);

        Type(page.Find("[data-testid='devices-search']"), "dev-2");
        page.WaitForAssertion(() => Assert.Equal("SN-DEV-2", Assert.Single(page.FindAll("[data-testid='device-serial']")).TextContent));
    }

    [Fact]
    public async Task An_approval_elsewhere_adds_the_console_without_a_reload()
    {
        var requestId = await new PendingRequests(Services).RedeemAsync("room-1@contoso.com", "SN-DEV-LIVE", ct: Ct);
        var page = RenderPage<DevicesPage>();
        page.WaitForAssertion(() => page.Find("[data-testid='devices-empty']"));

        await new PortalProvisioning(Services).ApproveAsync(requestId, Ct);

        page.WaitForAssertion(() => Assert.Equal("SN-DEV-LIVE", Assert.Single(page.FindAll("[data-testid='device-serial']")).TextContent));
    }

    /// <summary>Types into a debounced search box and leaves it, which commits the text at once.</summary>
    private static void Type(AngleSharp.Dom.IElement input, string text)
    {
        input.Input(text);
        input.Blur();
    }
}
