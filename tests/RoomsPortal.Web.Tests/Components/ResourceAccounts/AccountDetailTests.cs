using Bunit;
using MudBlazor;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Web.Components.Pages.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.ResourceAccounts;

public sealed class AccountDetailTests : AccountPageContext
{
    [Fact]
    public async Task Shows_properties_and_the_otp_history_with_dates_and_status()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.IssueOtpAsync(id, "lobby@contoso.com", ct: Ct);
        Clock.Advance(TimeSpan.FromHours(1));
        await Provisioning.IssueOtpAsync(id, "lobby@contoso.com", ct: Ct);

        var (cut, _) = RenderDetail(id, otpTab: true);

        cut.WaitForElement("[data-testid=otp-history]");
        Assert.Equal("Room lobby@contoso.com", cut.Find("h1").TextContent);
        var rows = cut.FindAll("[data-testid=otp-row]");
        Assert.Equal(2, rows.Count);
        Assert.Contains("2026-11-02 10:00 UTC", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("2026-11-02 18:00 UTC", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal(["Active", "Revoked"], cut.FindAll("[data-testid=otp-state]").Select(s => s.TextContent.Trim()));
        Assert.Single(cut.FindAll("[data-testid=revoke]"));
    }

    [Fact]
    public async Task Unknown_or_out_of_scope_account_says_so()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        SignInAs(RoomsPortal.Web.Security.PortalRoles.SiteLead, Guid.NewGuid());

        var (cut, _) = RenderDetail(id);

        cut.WaitForElement("[data-testid=account-not-found]");
        Assert.DoesNotContain("lobby@contoso.com", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pending_request_shows_the_device_and_rejecting_with_other_needs_a_note()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var (_, requestId) = await PendingRequestAsync(id, "lobby@contoso.com");
        var (cut, dialogs) = RenderDetail(id, otpTab: true);

        cut.WaitForElement("[data-testid=pending-request]");
        Assert.Equal("Awaiting OTP Approval", cut.Find("[data-testid=awaiting-approval]").TextContent.Trim());
        Assert.Equal("Contoso", cut.Find("[data-testid=device-make]").TextContent);
        Assert.Equal("RoomConsole 10", cut.Find("[data-testid=device-model]").TextContent);
        Assert.Equal("SN-4711", cut.Find("[data-testid=device-serial]").TextContent);
        Assert.Contains("10.1.2.3", cut.Find("[data-testid=device-information]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Passed", cut.Find("[data-testid=device-verification]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=decide]").Click();
        dialogs.WaitForElement("[data-testid=decision-submit]");
        Assert.Equal("SN-4711", dialogs.Find("[data-testid=device-serial]").TextContent);
        Assert.Contains("10.1.2.3", dialogs.Find("[data-testid=device-information]").TextContent, StringComparison.Ordinal);
        await ChooseAsync(dialogs.FindComponent<MudRadioGroup<bool>>(), false);
        await ChooseAsync(dialogs.FindComponent<MudRadioGroup<RejectReason?>>(), RejectReason.Other);
        dialogs.Find("[data-testid=decision-submit]").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("Add a note that says why", dialogs.Find("[data-testid=decision-problem]").TextContent, StringComparison.Ordinal));
        var stillPending = await Service<ApprovalService>().ListAsync(new ApprovalQuery(AccountId: id), AccessScope.All, Ct);
        Assert.Equal(ApprovalStatus.Pending, stillPending.Items.Single().Status);

        await SetAsync<MudTextField<string>, string>(dialogs.FindComponent<MudTextField<string>>(), "Installer reported the wrong box");
        dialogs.Find("[data-testid=decision-submit]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=pending-request]")));
        Assert.Contains(Snackbars, m => m.StartsWith("Rejected. The console SN-4711", StringComparison.Ordinal));
        var decided = (await Service<ApprovalService>().ListAsync(new ApprovalQuery(AccountId: id), AccessScope.All, Ct)).Items.Single();
        Assert.Equal(requestId, decided.Id);
        Assert.Equal(ApprovalStatus.Rejected, decided.Status);
        Assert.Equal("Installer reported the wrong box", decided.RejectNote);
        Assert.Contains("Rejected: Other (explain in the note) (Installer reported the wrong box)", cut.Find("[data-testid=request-history]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_arriving_while_the_page_is_open_appears_without_a_reload()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var (cut, _) = RenderDetail(id, otpTab: true);
        cut.WaitForElement("[data-testid=no-otps]");

        await PendingRequestAsync(id, "lobby@contoso.com", serial: "SN-LIVE-1");

        // Events reach the page off the request path, a burst at a time, and a re-read started by the code's event can
        // see the request but not yet the account's new status: the page is right once the request's own event is read.
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("SN-LIVE-1", cut.Find("[data-testid=device-serial]").TextContent);
            Assert.NotNull(cut.Find("[data-testid=awaiting-approval]"));
        });
    }

    [Fact]
    public async Task Approving_provisions_the_account()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await PendingRequestAsync(id, "lobby@contoso.com");
        var (cut, dialogs) = RenderDetail(id, otpTab: true);
        cut.WaitForElement("[data-testid=pending-request]");

        cut.Find("[data-testid=decide]").Click();
        dialogs.WaitForElement("[data-testid=decision-submit]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=pending-request]")));
        Assert.Contains(Snackbars, m => m.StartsWith("Approved. The console SN-4711 signs in as lobby@contoso.com", StringComparison.Ordinal));
        Assert.Equal(ProvisioningStatus.Provisioned, (await AccountAsync(id)).ProvisioningStatus);
    }

    [Fact]
    public async Task A_request_decided_elsewhere_meanwhile_is_reported_and_the_pane_refreshed()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var (_, requestId) = await PendingRequestAsync(id, "lobby@contoso.com");
        var (cut, dialogs) = RenderDetail(id, otpTab: true);
        cut.WaitForElement("[data-testid=pending-request]");
        cut.Find("[data-testid=decide]").Click();
        dialogs.WaitForElement("[data-testid=decision-submit]");

        // Another admin approves while this dialog is open.
        await Provisioning.ApproveAsync(requestId, Ct);
        dialogs.Find("[data-testid=decision-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains(Snackbars, m => m.StartsWith("Another admin already decided this request", StringComparison.Ordinal)));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=pending-request]")));
    }

    [Fact]
    public async Task An_expired_request_is_reported_with_what_to_do()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await PendingRequestAsync(id, "lobby@contoso.com");
        var (cut, dialogs) = RenderDetail(id, otpTab: true);
        cut.WaitForElement("[data-testid=pending-request]");
        cut.Find("[data-testid=decide]").Click();
        dialogs.WaitForElement("[data-testid=decision-submit]");

        Clock.Advance(TimeSpan.FromHours(9));
        dialogs.Find("[data-testid=decision-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains(Snackbars, m => m.StartsWith("This request expired with its one-time password", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Revoking_an_unused_otp_asks_first()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.IssueOtpAsync(id, "lobby@contoso.com", ct: Ct);
        var (cut, dialogs) = RenderDetail(id, otpTab: true);
        cut.WaitForElement("[data-testid=revoke]").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("Revoke this OTP?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click();

        cut.WaitForAssertion(() => Assert.Equal("Revoked", cut.Find("[data-testid=otp-state]").TextContent.Trim()));
        Assert.Contains("OTP revoked.", Snackbars);
        Assert.Empty(cut.FindAll("[data-testid=revoke]"));
    }

    [Fact]
    public async Task Disabling_the_account_revokes_its_unused_otp_and_enabling_it_again()
    {
        var id = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.IssueOtpAsync(id, "lobby@contoso.com", ct: Ct);
        var (cut, _) = RenderDetail(id);
        cut.WaitForElement("[data-testid=toggle-enabled]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Disabled", cut.Find("[data-testid=prop-enabled]").TextContent));
        Assert.Equal("Revoked", cut.Find("[data-testid=otp-state]").TextContent.Trim());
        Assert.Contains(Snackbars, m => m.StartsWith("Account disabled: its unused OTPs were revoked", StringComparison.Ordinal));
        Assert.Contains("Needs action (disabled)", cut.Find("[data-testid=prop-readiness]").TextContent, StringComparison.Ordinal);
        Assert.False((await AccountAsync(id)).Enabled);

        cut.Find("[data-testid=toggle-enabled]").Click();
        cut.WaitForAssertion(() => Assert.Equal("Enabled", cut.Find("[data-testid=prop-enabled]").TextContent));
    }

    private (IRenderedComponent<AccountDetail> Page, IRenderedComponent<MudDialogProvider> Dialogs) RenderDetail(Guid id, bool otpTab = false)
    {
        Service<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"/planning/resource-accounts/{id}" + (otpTab ? "?tab=otp" : ""));
        return RenderWithDialogs<AccountDetail>(p => p.Add(x => x.Id, id));
    }
}
