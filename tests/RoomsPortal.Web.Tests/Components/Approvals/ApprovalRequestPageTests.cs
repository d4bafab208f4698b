using Bunit;
using MudBlazor;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Testing;
using RoomsPortal.Web.Components.Pages.Approvals;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components.Approvals;

/// <summary>The deep-link page <c>/approvals/{id}</c> that notifications point at.</summary>
public sealed class ApprovalRequestPageTests : PortalComponentContext
{
    private PendingRequests Seed => new(Services);

    private IRenderedComponent<ApprovalRequestPage> Open(Guid requestId) =>
        RenderPage<ApprovalRequestPage>(p => p.Add(x => x.RequestId, requestId));

    private async Task<ApprovalStatus> StatusAsync(Guid requestId) =>
        (await Service<ApprovalService>().GetAsync(requestId, AccessScope.All, Ct))!.Status;

    [Fact]
    public async Task A_pending_request_shows_its_account_room_group_and_device_with_both_decisions()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-LINK-1", ct: Ct);

        var page = Open(requestId);

        page.WaitForAssertion(() => page.Find("[data-testid='request-pending']"));
        Assert.Contains("room-4.12@contoso.com", page.Markup, StringComparison.Ordinal);
        Assert.Equal("Room group: Building 4", page.Find("[data-testid='request-room-group']").TextContent.Trim());
        var device = page.Find("[data-testid='device-information']").TextContent;
        Assert.Contains("Contoso", device, StringComparison.Ordinal);
        Assert.Contains("RoomConsole 10", device, StringComparison.Ordinal);
        Assert.Contains("SN-LINK-1", device, StringComparison.Ordinal);
        Assert.Contains("Expiration date", device, StringComparison.Ordinal);
        page.Find("[data-testid='request-approve']");
        page.Find("[data-testid='request-reject']");
    }

    [Fact]
    public async Task An_admin_outside_the_requests_room_group_is_told_so_and_sees_none_of_it()
    {
        var requestId = await Seed.RedeemAsync("room-1@contoso.com", "SN-SCOPE-LINK", roomGroup: "Building 1", ct: Ct);
        await Seed.RedeemAsync("room-2@contoso.com", "SN-OTHER-LINK", roomGroup: "Building 2", ct: Ct);
        var building2 = (await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct)).Single(g => g.Name == "Building 2").Id;
        SignInAs(PortalRoles.SiteLead, building2);

        var page = Open(requestId);

        page.WaitForAssertion(() => Assert.Contains("outside your room groups",
            page.Find("[data-testid='request-outside-scope']").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("SN-SCOPE-LINK", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("room-1@contoso.com", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Building 1", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid='request-approve']"));
    }

    [Fact]
    public void An_unknown_id_says_so_and_links_back_to_approvals()
    {
        var page = Open(Guid.NewGuid());

        page.WaitForAssertion(() => Assert.Contains("No sign-in request has this id",
            page.Find("[data-testid='request-not-found']").TextContent, StringComparison.Ordinal));
        Assert.Equal("/approvals", page.Find("[data-testid='back-to-approvals']").GetAttribute("href"));
    }

    [Fact]
    public async Task A_rejected_request_shows_who_decided_when_and_why_with_no_buttons()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-DECIDED-1", ct: Ct);
        await new PortalProvisioning(Services).RejectAsync(requestId, RejectReason.WrongRoom, "Belongs in 4.21", Ct);

        var page = Open(requestId);

        page.WaitForAssertion(() => page.Find("[data-testid='request-decided']"));
        Assert.Equal("Rejected by Test Admin on 2026-11-02 09:00 UTC.", page.Find("[data-testid='request-outcome']").TextContent.Trim());
        Assert.Equal("Reason: Wrong room or resource account (Belongs in 4.21)", page.Find("[data-testid='request-reject-reason']").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid='request-approve']"));
        Assert.Empty(page.FindAll("[data-testid='request-reject']"));
    }

    [Fact]
    public async Task Approve_on_the_page_decides_through_the_dialog_and_shows_the_outcome()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-PAGE-APPROVE", ct: Ct);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<ApprovalRequestPage>(p => p.Add(x => x.RequestId, requestId));
        page.WaitForAssertion(() => page.Find("[data-testid='request-approve']"));

        page.Find("[data-testid='request-approve']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("SN-PAGE-APPROVE", dialogs.Find("[data-testid='device-serial']").TextContent, StringComparison.Ordinal));
        dialogs.Find("[data-testid='decision-submit']").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Approved. The console SN-PAGE-APPROVE signs in as room-4.12@contoso.com.", snackbars.Markup, StringComparison.Ordinal));
        Assert.Equal(ApprovalStatus.Approved, await StatusAsync(requestId));
        page.WaitForAssertion(() => Assert.Equal("Approved by Test Admin on 2026-11-02 09:00 UTC.",
            page.Find("[data-testid='request-outcome']").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid='request-approve']"));
    }

    [Fact]
    public async Task Reject_on_the_page_needs_a_reason()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-PAGE-REJECT", ct: Ct);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<ApprovalRequestPage>(p => p.Add(x => x.RequestId, requestId));
        page.WaitForAssertion(() => page.Find("[data-testid='request-reject']"));

        page.Find("[data-testid='request-reject']").Click();
        dialogs.WaitForAssertion(() => dialogs.Find("[data-testid='reject-reasons']"));
        dialogs.Find("[data-testid='decision-submit']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Choose why you reject the request.",
            dialogs.Find("[data-testid='decision-problem']").TextContent, StringComparison.Ordinal));
        Assert.Equal(ApprovalStatus.Pending, await StatusAsync(requestId));

        dialogs.FindAll("[data-testid='reject-reasons'] label")
            .Single(l => l.TextContent.Contains("Duplicate request", StringComparison.Ordinal))
            .QuerySelector("input")!.Click();
        dialogs.Find("[data-testid='decision-submit']").Click();

        page.WaitForAssertion(() => Assert.Equal("Reason: Duplicate request", page.Find("[data-testid='request-reject-reason']").TextContent.Trim()));
        Assert.Equal(ApprovalStatus.Rejected, await StatusAsync(requestId));
    }

    [Fact]
    public async Task A_pending_request_decided_elsewhere_updates_live()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-PAGE-LIVE", ct: Ct);
        var page = Open(requestId);
        page.WaitForAssertion(() => page.Find("[data-testid='request-approve']"));

        await new PortalProvisioning(Services).ApproveAsync(requestId, Ct);

        page.WaitForAssertion(() => Assert.Equal("Approved by Test Admin on 2026-11-02 09:00 UTC.",
            page.Find("[data-testid='request-outcome']").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid='request-approve']"));
    }

    [Fact]
    public async Task The_approvals_queue_links_each_row_to_its_request_page()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-ROW-LINK", ct: Ct);

        var queue = RenderPage<RoomsPortal.Web.Components.Pages.Approvals.Approvals>();

        queue.WaitForAssertion(() => Assert.Equal($"/approvals/{requestId}",
            queue.Find("[data-testid='request-link-SN-ROW-LINK']").GetAttribute("href")));
    }
}
