using Bunit;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Web.Components.Layout;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components;

// PortalComponentContext: the menu's Approvals badge counts pending requests through Core.
public sealed class NavMenuTests : PortalComponentContext
{
    [Fact]
    public void Navigation_links_every_area_of_the_portal()
    {
        var menu = Render<NavMenu>();

        var hrefs = menu.FindAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(
            ["/", "/planning/resource-accounts", "/approvals", "/devices", "/verification-failures", "/audit", "/settings"],
            hrefs);
        Assert.Contains("Planning", menu.Markup, StringComparison.Ordinal);
        Assert.Contains("Resource Accounts", menu.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Current_area_is_marked_active()
    {
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/approvals");

        var menu = Render<NavMenu>();

        var active = menu.FindAll("a.active");
        var link = Assert.Single(active);
        Assert.Equal("/approvals", link.GetAttribute("href"));
    }
}
