using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Components.ResourceAccounts;

/// <summary>
/// In Production on an empty database, a Site Lead signed in through the real form sees the codes a stopped wizard run
/// never showed: the Resource Accounts banner and the run page list them, for the Site Lead's room groups only.
/// </summary>
public sealed class OtpRunProductionTests
{
    private const string Password = "violet-harbour-tractor";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_site_lead_sees_a_stopped_runs_unseen_codes_in_their_room_groups_on_the_grid_and_the_run_page()
    {
        await using var portal = new PortalFactory().InProduction();
        var admin = new PortalProvisioning(portal.Services);
        var lobby = await admin.CreateAccountAsync("lobby@contoso.com", roomGroup: "Building 4", ct: Ct);
        var elsewhere = await admin.CreateAccountAsync("branch@contoso.com", roomGroup: "Branch", ct: Ct);
        var runId = await admin.AbandonedRunAsync([lobby, elsewhere], Ct);
        var building4 = (await portal.Services.GetRequiredService<Core.RoomGroups.RoomGroupService>().ListAsync(Core.Common.AccessScope.All, Ct))
            .Single(g => g.Name == "Building 4").Id;
        await portal.CreateUserAsync("site.lead", Password, PortalRoles.SiteLead, building4);
        using var browser = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var signedIn = await PortalForms.SignInAsync(browser, "site.lead", Password, ct: Ct);
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);

        var grid = WebUtility.HtmlDecode(await browser.GetStringAsync(new Uri("/planning/resource-accounts", UriKind.Relative), Ct));
        var run = WebUtility.HtmlDecode(await browser.GetStringAsync(new Uri($"/planning/resource-accounts/otp-runs/{runId}", UriKind.Relative), Ct));

        Assert.Contains("1 code issued on", grid, StringComparison.Ordinal);
        Assert.Contains($"/planning/resource-accounts/otp-runs/{runId}", grid, StringComparison.Ordinal);
        Assert.Contains("1 code was issued but never shown.", run, StringComparison.Ordinal);
        Assert.Contains("lobby@contoso.com", run, StringComparison.Ordinal);
        Assert.DoesNotContain("branch@contoso.com", run, StringComparison.Ordinal);
        Assert.Contains("Issue new codes for this account", run, StringComparison.Ordinal);
    }
}
