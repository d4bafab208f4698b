using Bunit;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Web.Components;
using RoomsPortal.Web.Components.Pages.Approvals;
using RoomsPortal.Web.Components.Pages.ResourceAccounts;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Security;

/// <summary>
/// A Site Lead of one room group cannot see or decide another group's request: not in the queue, not through a crafted
/// account address, and not by calling the service the pages call with the scope the pages pass.
/// </summary>
public sealed class SiteLeadScopeTests : PortalComponentContext
{
    private PendingRequests Seed => new(Services);

    [Fact]
    public async Task A_Site_Lead_sees_and_decides_only_their_own_room_groups_requests()
    {
        var own = await Seed.RedeemAsync("room-2@contoso.com", "SN-OWN-2", roomGroup: "Building 2", ct: Ct);
        var other = await Seed.RedeemAsync("room-1@contoso.com", "SN-OTHER-1", roomGroup: "Building 1", ct: Ct);
        var building2 = (await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct)).Single(g => g.Name == "Building 2").Id;
        SignInAs(PortalRoles.SiteLead, building2);
        Authorization.SetPolicies(PortalPolicies.Provision, PortalPolicies.ReadOperations);

        var queue = RenderPage<Approvals>();
        queue.WaitForElement("[data-testid='approve-SN-OWN-2']");
        var (actor, scope) = await Service<PortalCaller>().GetAsync();
        var crafted = await Service<ApprovalService>().ApproveAsync(other, actor, scope, Ct);
        var allowed = await Service<ApprovalService>().ApproveAsync(own, actor, scope, Ct);

        Assert.Empty(queue.FindAll("[data-testid='approve-SN-OTHER-1']"));
        Assert.DoesNotContain("room-1@contoso.com", queue.Markup, StringComparison.Ordinal);
        Assert.Equal(DecisionError.NotFound, crafted.Error);
        Assert.True(allowed.Succeeded);
        var stillPending = await Service<ApprovalService>().ListAsync(new ApprovalQuery(Status: ApprovalStatus.Pending), AccessScope.All, Ct);
        Assert.Equal(other, Assert.Single(stillPending.Items).Id);
    }

    [Fact]
    public async Task A_crafted_account_address_of_another_group_shows_not_found()
    {
        await Seed.RedeemAsync("room-1@contoso.com", "SN-OTHER-1", roomGroup: "Building 1", ct: Ct);
        var otherAccount = (await Service<ApprovalService>().ListAsync(new ApprovalQuery(), AccessScope.All, Ct)).Items.Single().AccountId;
        SignInAs(PortalRoles.SiteLead, Guid.NewGuid());
        Authorization.SetPolicies(PortalPolicies.Provision, PortalPolicies.ReadOperations);

        var detail = RenderPage<AccountDetail>(p => p.Add(d => d.Id, otherAccount));

        detail.WaitForElement("[data-testid=account-not-found]");
        Assert.DoesNotContain("SN-OTHER-1", detail.Markup, StringComparison.Ordinal);
        Assert.Empty(detail.FindAll("[data-testid=decide]"));
    }
}
