using Bunit;
using MudBlazor;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Testing;
using RoomsPortal.Web.Components.Layout;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Support;
using ApprovalsPage = RoomsPortal.Web.Components.Pages.Approvals.Approvals;

namespace RoomsPortal.Web.Tests.Components.Approvals;

public sealed class ApprovalsPageTests : PortalComponentContext
{
    private PendingRequests Seed => new(Services);

    private Task<ApprovalRequestView> RequestAsync(Guid id) =>
        Service<ApprovalService>().ListAsync(new ApprovalQuery(), AccessScope.All, Ct)
            .ContinueWith(t => t.Result.Items.Single(r => r.Id == id), Ct, TaskContinuationOptions.None, TaskScheduler.Default);

    [Fact]
    public async Task Shows_each_pending_request_with_account_room_group_and_device()
    {
        await Seed.RedeemAsync("room-4.12@contoso.com", "SN-PENDING-1", ct: Ct);

        var page = RenderPage<ApprovalsPage>();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("SN-PENDING-1", page.Markup, StringComparison.Ordinal);
            Assert.Contains("room-4.12@contoso.com", page.Markup, StringComparison.Ordinal);
            Assert.Contains("Building 4", page.Markup, StringComparison.Ordinal);
            Assert.Contains("RoomConsole 10", page.Markup, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task The_room_group_filter_narrows_the_queue_in_the_database()
    {
        await Seed.RedeemAsync("room-1@contoso.com", "SN-GROUP-1", roomGroup: "Building 1", ct: Ct);
        await Seed.RedeemAsync("room-2@contoso.com", "SN-GROUP-2", roomGroup: "Building 2", ct: Ct);
        var building1 = (await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct)).Single(g => g.Name == "Building 1").Id;
        var page = RenderPage<ApprovalsPage>();
        page.WaitForAssertion(() => Assert.Contains("SN-GROUP-2", page.Markup, StringComparison.Ordinal));

        var filter = page.FindComponent<MudBlazor.MudSelect<Guid?>>();
        await page.InvokeAsync(() => filter.Instance.ValueChanged.InvokeAsync(building1));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("SN-GROUP-1", page.Markup, StringComparison.Ordinal);
            Assert.DoesNotContain("SN-GROUP-2", page.Markup, StringComparison.Ordinal);
        });
        await page.InvokeAsync(() => filter.Instance.ValueChanged.InvokeAsync(null));
        page.WaitForAssertion(() => Assert.Contains("SN-GROUP-2", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Empty_queue_says_when_requests_appear()
    {
        var page = RenderPage<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.Contains(
            "No sign-ins are waiting for approval. Consoles that enter a one-time password appear here when auto approval is off.",
            page.Find("[data-testid='approvals-empty']").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redemption_after_render_appears_and_a_decision_elsewhere_removes_it()
    {
        var page = RenderPage<ApprovalsPage>();
        page.WaitForAssertion(() => page.Find("[data-testid='approvals-empty']"));

        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-LIVE-1", ct: Ct);
        page.WaitForAssertion(() => Assert.Contains("SN-LIVE-1", page.Markup, StringComparison.Ordinal));

        await new PortalProvisioning(Services).ApproveAsync(requestId, Ct);
        page.WaitForAssertion(() =>
        {
            Assert.DoesNotContain("SN-LIVE-1", page.Markup, StringComparison.Ordinal);
            page.Find("[data-testid='approvals-empty']");
        });
    }

    [Fact]
    public async Task Nav_badge_counts_pending_requests_live()
    {
        Authorization.SetPolicies(PortalPolicies.Provision, PortalPolicies.ReadOperations);
        var menu = Render<NavMenu>();
        Assert.Empty(menu.FindAll("[data-testid='approvals-badge']"));

        var first = await Seed.RedeemAsync("room-1@contoso.com", "SN-BADGE-1", ct: Ct);
        await Seed.RedeemAsync("room-2@contoso.com", "SN-BADGE-2", ct: Ct);
        menu.WaitForAssertion(() => Assert.Equal("2", menu.Find("[data-testid='approvals-badge']").TextContent.Trim()));

        await new PortalProvisioning(Services).RejectAsync(first, RejectReason.DuplicateRequest, null, Ct);
        menu.WaitForAssertion(() => Assert.Equal("1", menu.Find("[data-testid='approvals-badge']").TextContent.Trim()));
    }

    [Fact]
    public async Task Nav_badge_counts_only_the_callers_room_groups()
    {
        await Seed.RedeemAsync("room-1@contoso.com", "SN-SCOPE-1", roomGroup: "Building 1", ct: Ct);
        await Seed.RedeemAsync("room-2@contoso.com", "SN-SCOPE-2", roomGroup: "Building 2", ct: Ct);
        var building2 = (await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct)).Single(g => g.Name == "Building 2").Id;
        SignInAs(PortalRoles.SiteLead, building2);
        Authorization.SetPolicies(PortalPolicies.Provision, PortalPolicies.ReadOperations);

        var menu = Render<NavMenu>();

        menu.WaitForAssertion(() => Assert.Equal("1", menu.Find("[data-testid='approvals-badge']").TextContent.Trim()));
        await Seed.RedeemAsync("room-3@contoso.com", "SN-SCOPE-3", roomGroup: "Building 1", ct: Ct);
        await Seed.RedeemAsync("room-4@contoso.com", "SN-SCOPE-4", roomGroup: "Building 2", ct: Ct);
        menu.WaitForAssertion(() => Assert.Equal("2", menu.Find("[data-testid='approvals-badge']").TextContent.Trim()));
    }

    [Fact]
    public async Task Approve_in_the_dialog_decides_the_request_and_says_so()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-APPROVE-1", ct: Ct);
        var (page, dialog, snackbars) = Open();
        page.WaitForAssertion(() => page.Find("[data-testid='approve-SN-APPROVE-1']"));

        page.Find("[data-testid='approve-SN-APPROVE-1']").Click();
        page.WaitForAssertion(() => Assert.Contains("SN-APPROVE-1", dialog.Find("[data-testid='device-serial']").TextContent, StringComparison.Ordinal));
        dialog.Find("[data-testid='decision-submit']").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Approved. The console SN-APPROVE-1 signs in as room-4.12@contoso.com.", snackbars.Markup, StringComparison.Ordinal));
        Assert.Equal(ApprovalStatus.Approved, (await RequestAsync(requestId)).Status);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid='approve-SN-APPROVE-1']")));
    }

    [Fact]
    public async Task Reject_needs_a_reason_and_a_note_for_other_then_records_them()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-REJECT-1", ct: Ct);
        var (page, dialog, snackbars) = Open();
        page.WaitForAssertion(() => page.Find("[data-testid='reject-SN-REJECT-1']"));
        page.Find("[data-testid='reject-SN-REJECT-1']").Click();
        dialog.WaitForAssertion(() => dialog.Find("[data-testid='reject-reasons']"));

        dialog.Find("[data-testid='decision-submit']").Click();
        page.WaitForAssertion(() => Assert.Contains("Choose why you reject the request.", dialog.Find("[data-testid='decision-problem']").TextContent, StringComparison.Ordinal));

        ChooseReason(dialog, "Other (explain in the note)");
        dialog.Find("[data-testid='decision-submit']").Click();
        page.WaitForAssertion(() => Assert.Contains("Add a note", dialog.Find("[data-testid='decision-problem']").TextContent, StringComparison.Ordinal));
        Assert.Equal(ApprovalStatus.Pending, (await RequestAsync(requestId)).Status);

        dialog.Find("[data-testid='reject-note']").Input("Console is for room 4.21");
        dialog.Find("[data-testid='decision-submit']").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Rejected. The console SN-REJECT-1 shows the reason", snackbars.Markup, StringComparison.Ordinal));
        var request = await RequestAsync(requestId);
        Assert.Equal((ApprovalStatus.Rejected, RejectReason.Other, "Console is for room 4.21"), (request.Status, request.RejectReason, request.RejectNote));
    }

    [Fact]
    public async Task A_request_decided_meanwhile_is_reported_as_already_decided()
    {
        var requestId = await Seed.RedeemAsync("room-4.12@contoso.com", "SN-RACE-1", ct: Ct);
        var (page, dialog, snackbars) = Open();
        page.WaitForAssertion(() => page.Find("[data-testid='approve-SN-RACE-1']"));
        page.Find("[data-testid='approve-SN-RACE-1']").Click();
        dialog.WaitForAssertion(() => dialog.Find("[data-testid='decision-submit']"));

        await new PortalProvisioning(Services).RejectAsync(requestId, RejectReason.WrongRoom, null, Ct);
        dialog.Find("[data-testid='decision-submit']").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Another admin already decided this request.", snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requested_date_sorts_newest_or_oldest_first_and_expiration_date_soonest_first()
    {
        // Codes issued A, B, C (so they expire in that order), redeemed B, C, A: each sort gives its own order.
        var codes = new Dictionary<string, string>();
        foreach (var name in new[] { "A", "B", "C" })
        {
            codes[name] = await Seed.IssueAsync($"room-{name}@contoso.com", ct: Ct);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        foreach (var name in new[] { "B", "C", "A" })
        {
            await Seed.RedeemCodeAsync(codes[name], $"SN-SORT-{name}", Ct);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var page = RenderPage<ApprovalsPage>();
        page.WaitForAssertion(() => Assert.Equal(["SN-SORT-A", "SN-SORT-C", "SN-SORT-B"], Serials(page)));
        Assert.Equal(("descending", null), SortStates(page));

        page.Find("[data-testid='sort-requested']").Click();
        page.WaitForAssertion(() => Assert.Equal(["SN-SORT-B", "SN-SORT-C", "SN-SORT-A"], Serials(page)));
        Assert.Equal(("ascending", null), SortStates(page));

        page.Find("[data-testid='sort-expires']").Click();
        page.WaitForAssertion(() => Assert.Equal(["SN-SORT-A", "SN-SORT-B", "SN-SORT-C"], Serials(page)));
        Assert.Equal((null, "ascending"), SortStates(page));

        page.Find("[data-testid='sort-requested']").Click();
        page.WaitForAssertion(() => Assert.Equal(["SN-SORT-A", "SN-SORT-C", "SN-SORT-B"], Serials(page)));
    }

    [Fact]
    public async Task The_pager_pages_through_the_queue_and_a_page_emptied_by_decisions_shows_the_last_one()
    {
        var ids = new List<Guid>();
        for (var i = 1; i <= 12; i++)
        {
            ids.Add(await Seed.RedeemAsync($"room-{i}@contoso.com", $"SN-PAGE-{i:00}", ct: Ct));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var page = RenderPage<ApprovalsPage>();
        page.WaitForAssertion(() => Assert.Equal("1-12 of 12", page.Find("[data-testid='page-info']").TextContent));
        Assert.NotNull(page.Find("[aria-label='Next page']").GetAttribute("disabled"));

        page.Find("[data-testid='page-size']").Change("10");
        page.WaitForAssertion(() => Assert.Equal("1-10 of 12", page.Find("[data-testid='page-info']").TextContent));
        Assert.Equal(10, Serials(page).Count);
        Assert.NotNull(page.Find("[aria-label='Previous page']").GetAttribute("disabled"));

        page.Find("[aria-label='Next page']").Click();
        page.WaitForAssertion(() => Assert.Equal(["SN-PAGE-02", "SN-PAGE-01"], Serials(page)));
        Assert.Equal("11-12 of 12", page.Find("[data-testid='page-info']").TextContent);
        page.Find("[aria-label='First page']").Click();
        page.WaitForAssertion(() => Assert.Equal("1-10 of 12", page.Find("[data-testid='page-info']").TextContent));
        page.Find("[aria-label='Last page']").Click();
        page.WaitForAssertion(() => Assert.Equal("11-12 of 12", page.Find("[data-testid='page-info']").TextContent));

        // Another admin decides both requests on this page: the page shows what is now the last page.
        await Seed.Admin.ApproveAsync(ids[0], Ct);
        await Seed.Admin.ApproveAsync(ids[1], Ct);
        page.WaitForAssertion(() => Assert.Equal("1-10 of 10", page.Find("[data-testid='page-info']").TextContent));
        Assert.Equal(10, Serials(page).Count);
    }

    [Fact]
    public async Task A_larger_page_keeps_the_first_request_shown_on_screen()
    {
        for (var i = 1; i <= 30; i++)
        {
            await Seed.RedeemAsync($"room-{i}@contoso.com", $"SN-SIZE-{i:00}", ct: Ct);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var page = RenderPage<ApprovalsPage>();
        page.WaitForAssertion(() => Assert.Equal("1-25 of 30", page.Find("[data-testid='page-info']").TextContent));
        page.Find("[data-testid='page-size']").Change("10");
        page.WaitForAssertion(() => Assert.Equal("1-10 of 30", page.Find("[data-testid='page-info']").TextContent));
        page.Find("[aria-label='Last page']").Click();
        page.WaitForAssertion(() => Assert.Equal("21-30 of 30", page.Find("[data-testid='page-info']").TextContent));

        // Rows 21-30 were on screen: with 25 a page, row 21 is on the first page.
        page.Find("[data-testid='page-size']").Change("25");
        page.WaitForAssertion(() => Assert.Equal("1-25 of 30", page.Find("[data-testid='page-info']").TextContent));
        page.Find("[data-testid='page-size']").Change("10");
        page.WaitForAssertion(() => Assert.Equal("1-10 of 30", page.Find("[data-testid='page-info']").TextContent));
    }

    [Fact]
    public async Task A_prerender_shows_the_loading_row_and_leaves_the_queue_to_the_interactive_render()
    {
        await Seed.RedeemAsync("room-1@contoso.com", "SN-PRERENDER-1", ct: Ct);
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));

        var page = RenderPage<ApprovalsPage>();

        page.WaitForElement("[data-testid='approvals-loading']");
        Assert.DoesNotContain("SN-PRERENDER-1", page.Markup, StringComparison.Ordinal);
        Assert.Equal("", page.Find("[data-testid='page-info']").TextContent);
    }

    private static (string? Requested, string? Expires) SortStates(IRenderedComponent<ApprovalsPage> page) =>
        (page.Find("th:has([data-testid='sort-requested'])").GetAttribute("aria-sort"),
         page.Find("th:has([data-testid='sort-expires'])").GetAttribute("aria-sort"));

    private static List<string> Serials(IRenderedComponent<ApprovalsPage> page) =>
        [.. page.FindAll("[data-testid='request-serial']").Select(s => s.TextContent.Replace("Serial ", "", StringComparison.Ordinal))];

    /// <summary>The page with its dialog and snackbar providers, which render outside the page's markup.</summary>
    private (IRenderedComponent<ApprovalsPage> Page, IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars) Open()
    {
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        return (Render<ApprovalsPage>(), dialogs, snackbars);
    }

    private static void ChooseReason(IRenderedComponent<MudDialogProvider> dialog, string label)
    {
        var option = dialog.FindAll("[data-testid='reject-reasons'] label").Single(l => l.TextContent.Contains(label, StringComparison.Ordinal));
        option.QuerySelector("input")!.Click();
    }
}
