using Bunit;
using Microsoft.JSInterop;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Otps;
using RoomsPortal.Web.Components.Pages.ResourceAccounts;
using RoomsPortal.Web.Security;
using static RoomsPortal.Web.Tests.Sheets.SheetPdf;

namespace RoomsPortal.Web.Tests.Components.ResourceAccounts;

/// <summary>
/// Installation sheets from the wizard's Result step (with the codes the circuit holds) and from a run's page later
/// (without codes): the PDF handed to the browser over the circuit, the print view, and the audit entry.
/// </summary>
public sealed class InstallationSheetsTests : AccountPageContext
{
    [Fact]
    public async Task The_result_step_downloads_a_pdf_with_each_rooms_code_on_its_page_and_audits_who_and_how_many()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var boardroom = await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        Service<OtpWizardSelection>().Set([lobby, boardroom]);
        JSInterop.SetupVoid("roomsPortal.downloadStream", _ => true).SetVoidResult();
        var cut = GenerateInWizard();
        var codes = cut.FindAll("[data-testid=code-row]").ToDictionary(
            r => r.Children[1].TextContent.Trim(), r => r.QuerySelector("[data-testid=otp-code]")!.TextContent.Trim());

        cut.Find("[data-testid=download-sheets]").Click();

        cut.WaitForAssertion(() => Assert.Single(JSInterop.Invocations["roomsPortal.downloadStream"]));
        var download = JSInterop.Invocations["roomsPortal.downloadStream"].Single();
        Assert.Equal("application/pdf", download.Arguments[2]);
        Assert.EndsWith(".pdf", (string)download.Arguments[0]!, StringComparison.Ordinal);
        var pdf = ((MemoryStream)((DotNetStreamReference)download.Arguments[1]!).Stream).ToArray();
        var pages = Pages(pdf);
        Assert.Equal(2, pages.Count);
        foreach (var (upn, code) in codes)
        {
            var page = Assert.Single(pages, p => p.Text.Contains(upn, StringComparison.Ordinal));
            Assert.Contains(code, page.Text, StringComparison.Ordinal);
            Assert.Contains("2026-11-0217:00UTC", Squeezed(page.Text), StringComparison.Ordinal);
            Assert.Equal(1, page.Images);
        }

        var entry = Assert.Single(await AuditAsync(), e => e.Operation == AuditOperations.SheetsDownloaded);
        Assert.Equal(("Test Admin", "2 installation sheet(s) with their one-time passwords downloaded as PDF"), (entry.ActorName, entry.Details));
        Assert.DoesNotContain(codes.Values.First(), entry.Details!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_print_view_shows_one_sheet_per_room_with_code_expiry_qr_and_steps_and_opens_the_print_dialog()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        Service<OtpWizardSelection>().Set([lobby]);
        JSInterop.SetupVoid("roomsPortal.print").SetVoidResult();
        var cut = GenerateInWizard();
        var code = cut.Find("[data-testid=otp-code]").TextContent.Trim();

        cut.Find("[data-testid=print-view]").Click();

        var sheet = cut.WaitForElement("[data-testid=sheet]");
        Assert.Equal("lobby@contoso.com", sheet.QuerySelector("[data-testid=sheet-upn]")!.TextContent.Trim());
        Assert.Equal(code, sheet.QuerySelector("[data-testid=sheet-code]")!.TextContent.Trim());
        Assert.Equal("Valid until 2026-11-02 17:00 UTC", sheet.QuerySelector("[data-testid=sheet-expiry]")!.TextContent.Trim());
        Assert.StartsWith("data:image/png;base64,", sheet.QuerySelector("[data-testid=sheet-qr]")!.GetAttribute("src"), StringComparison.Ordinal);
        var steps = sheet.QuerySelectorAll("[data-testid=sheet-steps] li").Select(li => li.TextContent).ToList();
        Assert.Equal(4, steps.Count);
        Assert.Contains("Get started", steps[0], StringComparison.Ordinal);
        Assert.Contains("End user agreement", steps[1], StringComparison.Ordinal);
        Assert.Contains("Set up account", steps[2], StringComparison.Ordinal);

        cut.Find("[data-testid=print-sheets]").Click();
        Assert.Single(JSInterop.Invocations["roomsPortal.print"]);
        Assert.Empty(await AuditAsync(AuditOperations.SheetsDownloaded));
    }

    [Fact]
    public async Task A_rooms_pro_manager_gets_sheets_without_codes_for_a_runs_unredeemed_codes()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var hall = await Provisioning.CreateAccountAsync("hall@contoso.com", ct: Ct);
        var runId = await Provisioning.AbandonedRunAsync([lobby, hall], Ct);
        Authorization.SetPolicies(PortalPolicies.ManagePortal, PortalPolicies.Provision, PortalPolicies.ReadOperations);
        JSInterop.SetupVoid("roomsPortal.downloadStream", _ => true).SetVoidResult();
        var cut = RenderPage<OtpRunPage>(p => p.Add(x => x.RunId, runId));
        cut.WaitForAssertion(() => Assert.Contains("each of the 2 codes of this run not yet redeemed",
            cut.Find("[data-testid=sheets-summary]").TextContent, StringComparison.Ordinal));

        cut.Find("[data-testid=download-sheets]").Click();

        cut.WaitForAssertion(() => Assert.Single(JSInterop.Invocations["roomsPortal.downloadStream"]));
        var download = JSInterop.Invocations["roomsPortal.downloadStream"].Single();
        var pages = Pages(((MemoryStream)((DotNetStreamReference)download.Arguments[1]!).Stream).ToArray());
        Assert.Equal(2, pages.Count);
        Assert.All(pages, p =>
        {
            Assert.Contains("Codehandedoutseparately", Squeezed(p.Text), StringComparison.Ordinal);
            Assert.Contains("UTC", p.Text, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"[A-Z]{4}-[A-Z]{4}-[A-Z]{4}", p.Text);
            Assert.Equal(0, p.Images);
        });
        var entry = Assert.Single(await AuditAsync(AuditOperations.SheetsDownloaded));
        Assert.Equal("2 installation sheet(s) without codes downloaded as PDF", entry.Details);
    }

    [Fact]
    public async Task A_site_lead_sees_the_run_but_no_sheets()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var runId = await Provisioning.AbandonedRunAsync([lobby], Ct);
        var group = (await Service<Core.RoomGroups.RoomGroupService>().ListAsync(AccessScope.All, Ct)).Single().Id;
        SignInAs(PortalRoles.SiteLead, group);
        Authorization.SetPolicies(PortalPolicies.Provision, PortalPolicies.ReadOperations);

        var cut = RenderPage<OtpRunPage>(p => p.Add(x => x.RunId, runId));

        cut.WaitForElement("[data-testid=unseen-codes]");
        Assert.Empty(cut.FindAll("[data-testid=sheets-panel]"));
    }

    private IRenderedComponent<GenerateOtpWizard> GenerateInWizard()
    {
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForElement("[data-testid=next]");
        cut.Find("[data-testid=next]").Click();
        cut.Find("[data-testid=next]").Click();
        cut.WaitForElement("[data-testid=step-review]");
        cut.Find("[data-testid=generate]").Click();
        cut.WaitForElement("[data-testid=step-result]");
        return cut;
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string? operation = null)
    {
        var entries = (await Service<AuditService>().QueryAsync(new AuditQuery(PageSize: 200), Ct)).Items;
        return operation is null ? entries : [.. entries.Where(e => e.Operation == operation)];
    }
}
