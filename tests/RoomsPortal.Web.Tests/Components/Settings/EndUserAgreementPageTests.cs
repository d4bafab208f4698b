using Bunit;
using MudBlazor;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Verification;
using RoomsPortal.Web.Components.Pages.Settings;
using RoomsPortal.Web.Tests.Components.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.Settings;

public sealed class EndUserAgreementPageTests : AccountPageContext
{
    [Fact]
    public async Task Shows_the_built_in_agreement_and_publishing_a_version_makes_it_current_at_once()
    {
        var cut = RenderPage<EndUserAgreementSettings>();
        cut.WaitForAssertion(() => Assert.Contains($"version {AgreementService.BuiltIn.Version}", cut.Find("[data-testid=current-agreement]").TextContent, StringComparison.Ordinal));
        Assert.Contains("The built-in agreement", cut.Find("[data-testid=current-agreement]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=agreement-version]").Input("2026-11");
        cut.Find("[data-testid=agreement-text]").Input("You agree to these terms.\nSecond paragraph.");
        cut.Find("[data-testid=publish]").Click();

        cut.WaitForAssertion(() => Assert.Contains("version 2026-11", cut.Find("[data-testid=current-agreement]").TextContent, StringComparison.Ordinal));
        Assert.Equal("You agree to these terms.\nSecond paragraph.", cut.Find("[data-testid=current-text]").TextContent);
        Assert.Contains("Published version 2026-11. Consoles accept it from now on.", Snackbars);
        Assert.Equal("2026-11", (await Service<AgreementService>().GetCurrentAsync(Ct)).Version);
        Assert.Single((await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.DeviceCatalog), Ct)).Items);
    }

    [Fact]
    public async Task Hidden_characters_in_the_text_are_refused_with_the_rule()
    {
        var cut = RenderPage<EndUserAgreementSettings>();
        cut.WaitForElement("[data-testid=publish-section]");

        cut.Find("[data-testid=agreement-version]").Input("2026-11");
        cut.Find("[data-testid=agreement-text]").Input("I do \u202Etpecca");
        cut.Find("[data-testid=publish]").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("The agreement text contains an invisible formatting character (U+202E) at position 6.",
            cut.Find("[data-testid=agreement-error]").TextContent, StringComparison.Ordinal));
        Assert.True((await Service<AgreementService>().GetCurrentAsync(Ct)).IsBuiltIn);
    }

    [Fact]
    public async Task A_version_with_a_later_date_is_scheduled_and_can_be_deleted_before_it_takes_effect()
    {
        var cut = RenderPage<EndUserAgreementSettings>();
        cut.WaitForElement("[data-testid=publish-section]");

        cut.Find("[data-testid=agreement-version]").Input("2027-01");
        cut.Find("[data-testid=agreement-text]").Input("Next year's terms.");
        var picker = cut.FindComponent<MudDatePicker>();
        await picker.InvokeAsync(() => picker.Instance.DateChanged.InvokeAsync(Clock.GetUtcNow().UtcDateTime.Date.AddDays(30)));
        cut.Find("[data-testid=publish]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Scheduled", cut.Find("[data-testid=agreement-row]").TextContent, StringComparison.Ordinal));
        Assert.True((await Service<AgreementService>().GetCurrentAsync(Ct)).IsBuiltIn);
        cut.Find("[data-testid=delete-version]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=agreement-row]")));
        Assert.Contains("Deleted the scheduled version 2027-01.", Snackbars);
    }
}
