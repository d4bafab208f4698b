using Bunit;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Web.Components.Layout;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components;

// PortalComponentContext: the menu's Approvals badge counts pending requests through Core.
public sealed class NavMenuTests : PortalComponentContext
{
    [Fact]
    public void Navigation_links_every_area_of_the_portal_for_a_Rooms_Pro_Manager()
    {
        Authorization.SetAuthorized("manager").SetPolicies(PortalPolicies.ManagePortal, PortalPolicies.Provision, PortalPolicies.ReadOperations);

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
        Authorization.SetAuthorized("lead").SetPolicies(PortalPolicies.Provision, PortalPolicies.ReadOperations);
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/approvals");

        var menu = Render<NavMenu>();

        var active = menu.FindAll("a.active");
        var link = Assert.Single(active);
        Assert.Equal("/approvals", link.GetAttribute("href"));
    }

    [Fact]
    public void The_active_mark_follows_navigation_and_a_sub_page_marks_its_area()
    {
        Authorization.SetAuthorized("lead").SetPolicies(PortalPolicies.Provision, PortalPolicies.ReadOperations);
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        var menu = Render<NavMenu>();
        Assert.Equal("/", Assert.Single(menu.FindAll("a.active")).GetAttribute("href"));

        navigation.NavigateTo("/planning/resource-accounts/generate-otp?from=menu");

        menu.WaitForAssertion(() =>
        {
            var link = Assert.Single(menu.FindAll("a.active"));
            Assert.Equal("/planning/resource-accounts", link.GetAttribute("href"));
            Assert.Equal("page", link.GetAttribute("aria-current"));
        });
        // "/" matches itself only, and a path that merely starts with an area's letters is not that area.
        navigation.NavigateTo("/devicesettings");
        menu.WaitForAssertion(() => Assert.Empty(menu.FindAll("a.active")));
    }

    [Fact]
    public void A_group_collapses_and_expands_and_says_so()
    {
        Authorization.SetAuthorized("lead").SetPolicies(PortalPolicies.Provision, PortalPolicies.ReadOperations);
        var menu = Render<NavMenu>();
        var toggle = menu.Find("button[aria-label='Toggle Planning']");
        var group = menu.Find("#" + toggle.GetAttribute("aria-controls"));
        Assert.Equal("true", toggle.GetAttribute("aria-expanded"));
        Assert.False(group.ParentElement!.HasAttribute("hidden"));

        toggle.Click();

        Assert.Equal("false", menu.Find("button[aria-label='Toggle Planning']").GetAttribute("aria-expanded"));
        Assert.True(menu.Find("#" + toggle.GetAttribute("aria-controls")).ParentElement!.HasAttribute("hidden"));
        menu.Find("button[aria-label='Toggle Planning']").Click();
        Assert.Equal("true", menu.Find("button[aria-label='Toggle Planning']").GetAttribute("aria-expanded"));
    }

    [Fact]
    public void Helpdesk_sees_only_the_areas_its_role_reads()
    {
        Authorization.SetAuthorized("helpdesk").SetPolicies(PortalPolicies.ReadOperations);

        var menu = Render<NavMenu>();

        var hrefs = menu.FindAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(["/", "/devices", "/verification-failures"], hrefs);
        Assert.DoesNotContain("Planning", menu.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymous_visitor_sees_no_areas()
    {
        Authorization.SetNotAuthorized();

        var menu = Render<NavMenu>();

        Assert.Empty(menu.FindAll("a"));
    }
}
