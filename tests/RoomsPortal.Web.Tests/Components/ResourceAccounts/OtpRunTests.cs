using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Web.Components.Pages.ResourceAccounts;
using ResourceAccountsPage = RoomsPortal.Web.Components.Pages.ResourceAccounts.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.ResourceAccounts;

/// <summary>
/// Wizard runs: the Result step marks a run shown; a run that stopped before it (a killed circuit) is flagged on the
/// grid and its page, and one action issues exactly those codes again.
/// </summary>
public sealed class OtpRunTests : AccountPageContext
{
    [Fact]
    public async Task The_result_step_marks_the_run_shown_so_its_codes_are_never_flagged()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        Service<OtpWizardSelection>().Set([lobby]);
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal("1 selected", cut.Find("[data-testid=selected-count]").TextContent.Trim()));
        cut.Find("[data-testid=next]").Click();
        cut.Find("[data-testid=next]").Click();

        cut.Find("[data-testid=generate]").Click();

        cut.WaitForElement("[data-testid=step-result]");
        var runId = (await Service<OtpService>().ListForAccountAsync(lobby, AccessScope.All, Ct)).Single().BatchId;
        cut.WaitForAssertion(() => Assert.Equal(OtpRunState.Completed, RunAsync(runId).GetAwaiter().GetResult()!.State));
        Clock.Advance(OtpRun.StaleAfter * 2);
        Assert.Empty(await Service<OtpService>().ListUnseenCodesAsync(null, AccessScope.All, Ct));
        Assert.Null((await AccountAsync(lobby)).UnseenCodeRunId);
    }

    [Fact]
    public async Task A_run_stopped_before_showing_its_codes_is_flagged_on_the_grid_with_a_link_to_its_run()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        var runId = await Provisioning.AbandonedRunAsync([lobby], Ct);

        var cut = RenderPage<ResourceAccountsPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=unseen-code]")));
        var row = cut.FindAll("tbody tr.mud-table-row").Single(r => r.QuerySelector("[data-testid=unseen-code]") is not null);
        Assert.Contains("lobby@contoso.com", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("Code issued but never shown", row.QuerySelector("[data-testid=unseen-code]")!.TextContent.Trim());
        Assert.EndsWith($"/otp-runs/{runId}", row.QuerySelector("[data-testid=unseen-code]")!.GetAttribute("href"), StringComparison.Ordinal);
        var banner = string.Join(' ', cut.Find("[data-testid=unseen-run]").TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("1 code issued on 2026-11-02 09:00 UTC by Test Admin was never shown", banner, StringComparison.Ordinal);
        Assert.EndsWith($"/otp-runs/{runId}", cut.Find("[data-testid=unseen-run-link]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_action_on_the_run_page_issues_exactly_the_unseen_codes_again_keeping_the_passwords()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var boardroom = await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        var hall = await Provisioning.CreateAccountAsync("hall@contoso.com", ct: Ct);
        var runId = await Provisioning.AbandonedRunAsync([lobby, boardroom], Ct);
        var unseenBefore = await Service<OtpService>().ListUnseenCodesAsync(runId, AccessScope.All, Ct);
        var passwords = await PasswordsAsync();
        var page = RenderPage<OtpRunPage>(p => p.Add(x => x.RunId, runId));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=unseen-code-row]").Count));
        Assert.Contains("Closed before the codes were shown", page.Find("[data-testid=run-state]").TextContent, StringComparison.Ordinal);
        Assert.Contains("2 codes were issued but never shown", page.Find("[data-testid=unseen-codes-alert]").TextContent, StringComparison.Ordinal);

        page.Find("[data-testid=issue-again]").Click();

        var navigation = Service<NavigationManager>();
        Assert.EndsWith($"/planning/resource-accounts/generate-otp?reissue={runId}", navigation.Uri, StringComparison.Ordinal);
        // The providers are already rendered (with the run page): render the next page next to it, as navigation would.
        var wizard = Render<GenerateOtpWizard>();
        wizard.WaitForElement("[data-testid=step-review]");
        Assert.Contains("were never shown", wizard.Find("[data-testid=reissue-notice]").TextContent, StringComparison.Ordinal);
        Assert.Equal("2", wizard.Find("[data-testid=review-count]").TextContent);
        Assert.Contains("Keep the passwords", wizard.Find("[data-testid=review-configuration]").TextContent, StringComparison.Ordinal);

        wizard.Find("[data-testid=generate]").Click();

        wizard.WaitForElement("[data-testid=step-result]");
        Assert.Equal(2, wizard.FindAll("[data-testid=otp-code]").Count);
        Assert.Equal(passwords, await PasswordsAsync());
        foreach (var code in unseenBefore)
        {
            var history = await Service<OtpService>().ListForAccountAsync(code.AccountId, AccessScope.All, Ct);
            Assert.Equal(OtpState.Revoked, history.Single(h => h.Id == code.OtpId).State);
        }

        Assert.Empty(await Service<OtpService>().ListForAccountAsync(hall, AccessScope.All, Ct));
        Assert.Empty(await Service<OtpService>().ListUnseenCodesAsync(null, AccessScope.All, Ct));
        var after = Render<OtpRunPage>(p => p.Add(x => x.RunId, runId));
        after.WaitForElement("[data-testid=no-unseen-codes]");
    }

    [Fact]
    public async Task A_run_with_nothing_left_to_issue_again_leaves_the_wizard_as_it_was()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var runId = await Provisioning.AbandonedRunAsync([lobby], Ct);
        var code = (await Service<OtpService>().ListUnseenCodesAsync(runId, AccessScope.All, Ct)).Single();
        await Service<OtpService>().RevokeAsync(code.OtpId, Admin, AccessScope.All, Ct);
        Service<NavigationManager>().NavigateTo($"/planning/resource-accounts/generate-otp?reissue={runId}");

        var wizard = RenderPage<GenerateOtpWizard>();

        wizard.WaitForElement("[data-testid=step-accounts]");
        Assert.Contains(Snackbars, m => m.StartsWith("Nothing to issue again", StringComparison.Ordinal));
        Assert.Empty(wizard.FindAll("[data-testid=mode-keep]"));
    }

    private async Task<OtpRunView?> RunAsync(Guid runId) => await Service<OtpService>().GetRunAsync(runId, AccessScope.All, Ct);

    private async Task<Dictionary<string, string>> PasswordsAsync()
    {
        await using var db = await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var rows = await db.Set<ResourceAccount>().ToListAsync(Ct);
        return rows.ToDictionary(a => a.Upn, a => Service<SignInDataProtector>().Unprotect(a.ProtectedPassword!));
    }
}
