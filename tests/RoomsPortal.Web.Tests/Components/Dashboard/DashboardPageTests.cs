using Bunit;
using RoomsPortal.Web.Tests.Support;
using DashboardPage = RoomsPortal.Web.Components.Pages.Dashboard.Dashboard;

namespace RoomsPortal.Web.Tests.Components.Dashboard;

public sealed class DashboardPageTests : PortalComponentContext
{
    [Fact]
    public void New_install_starts_with_importing_resource_accounts()
    {
        var page = RenderPage<DashboardPage>();

        page.WaitForAssertion(() =>
        {
            var empty = page.Find("[data-testid='dashboard-empty']");
            Assert.Contains("Start by importing resource accounts", empty.TextContent, StringComparison.Ordinal);
            Assert.Equal("/planning/resource-accounts", page.Find("[data-testid='dashboard-import-link']").GetAttribute("href"));
        });
        Assert.Empty(page.FindAll("[data-testid='card-pending-approvals']"));
    }

    [Fact]
    public async Task Figures_link_to_their_pages_and_the_chart_shows_the_last_days()
    {
        var seed = new PendingRequests(Services);
        await seed.RedeemAsync("room-1@contoso.com", "SN-DASH-1", ct: Ct);
        await seed.Admin.CreateAccountAsync("room-2@contoso.com", ct: Ct);

        var page = RenderPage<DashboardPage>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal("1", page.Find("[data-testid='card-pending-approvals-value']").TextContent.Trim());
            Assert.Equal("2", page.Find("[data-testid='card-ready-accounts-value']").TextContent.Trim());
            Assert.Equal("0", page.Find("[data-testid='card-active-otps-value']").TextContent.Trim());
            Assert.Equal("0", page.Find("[data-testid='card-verification-failures-value']").TextContent.Trim());
        });
        Assert.Equal("/approvals", page.Find("[data-testid='card-pending-approvals'] a").GetAttribute("href"));
        Assert.Equal("/verification-failures", page.Find("[data-testid='card-verification-failures'] a").GetAttribute("href"));
        var chart = page.Find("[data-testid='dashboard-chart']");
        Assert.NotNull(chart.QuerySelector("svg"));
        Assert.Contains("Redeemed", chart.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid='dashboard-empty']"));
    }

    [Fact]
    public async Task Pending_approvals_figure_follows_new_requests_live()
    {
        var seed = new PendingRequests(Services);
        await seed.RedeemAsync("room-1@contoso.com", "SN-DASH-LIVE-1", ct: Ct);
        var page = RenderPage<DashboardPage>();
        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-testid='card-pending-approvals-value']").TextContent.Trim()));

        await seed.RedeemAsync("room-2@contoso.com", "SN-DASH-LIVE-2", ct: Ct);

        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-testid='card-pending-approvals-value']").TextContent.Trim()));
    }
}
