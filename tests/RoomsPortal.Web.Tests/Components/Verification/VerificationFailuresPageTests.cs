using Bunit;
using MudBlazor;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Verification;
using RoomsPortal.Web.Tests.Support;
using FailuresPage = RoomsPortal.Web.Components.Pages.Verification.VerificationFailures;

namespace RoomsPortal.Web.Tests.Components.Verification;

public sealed class VerificationFailuresPageTests : PortalComponentContext
{
    private async Task FailAsync(string serial)
    {
        var result = await Service<DeviceVerificationService>().VerifyAsync(new DeviceIdentity("Contoso", "RoomConsole 10", serial, "1.4.2"), null, "10.0.0.7", Ct);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void No_failures_says_what_would_show_here()
    {
        var page = RenderPage<FailuresPage>();

        page.WaitForAssertion(() => Assert.Contains("No unresolved verification failures.",
            page.Find("[data-testid='failures-empty']").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shows_device_details_reason_steps_repeats_and_counts_per_model()
    {
        await FailAsync("SN-VF-1");
        await FailAsync("SN-VF-1");
        await FailAsync("SN-VF-2");

        var page = RenderPage<FailuresPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid='failure-serial']").Count));
        Assert.Equal("Verification information not found", page.FindAll("[data-testid='failure-reason']")[0].TextContent);
        Assert.Contains("Connect the HDMI ingest module", page.FindAll("[data-testid='failure-steps']")[0].TextContent, StringComparison.Ordinal);
        Assert.Equal(2, page.FindAll("[data-testid='failure-repeats']").Count);
        Assert.Contains("10.0.0.7", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Firmware 1.4.2", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Contoso RoomConsole 10: 3 (2 consoles)", page.Find("[data-testid='failures-per-model']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_needs_a_note_then_leaves_the_unresolved_list_and_is_audited()
    {
        await FailAsync("SN-VF-9");
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        var page = Render<FailuresPage>();
        page.WaitForAssertion(() => page.Find("[data-testid^='resolve-']"));

        page.Find("[data-testid^='resolve-']").Click();
        dialogs.WaitForAssertion(() => dialogs.Find("[data-testid='resolve-submit']"));
        dialogs.Find("[data-testid='resolve-submit']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Add a note", dialogs.Find("[data-testid='resolve-problem']").TextContent, StringComparison.Ordinal));
        dialogs.Find("[data-testid='resolve-note']").Input("Reconnected the ingest module");
        dialogs.Find("[data-testid='resolve-submit']").Click();

        page.WaitForAssertion(() => page.Find("[data-testid='failures-empty']"));
        var audit = await Service<AuditService>().QueryAsync(new AuditQuery(Target: "SN-VF-9"), Ct);
        Assert.Equal(AuditOperations.VerificationFailureResolved, Assert.Single(audit.Items).Operation);
    }

    [Fact]
    public async Task Export_downloads_the_csv_through_the_js_helper()
    {
        await FailAsync("SN-VF-5");
        var download = JSInterop.SetupVoid("roomsPortal.downloadText", _ => true);
        var page = RenderPage<FailuresPage>();
        page.WaitForAssertion(() => page.Find("[data-testid='failure-serial']"));

        page.Find("[data-testid='failures-export']").Click();

        var call = Assert.Single(download.Invocations);
        Assert.StartsWith("verification-failures-", (string)call.Arguments[0]!, StringComparison.Ordinal);
        Assert.Contains("SN-VF-5", (string)call.Arguments[1]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_uncertified_model_links_a_manager_to_certify_it_and_tells_the_helpdesk_whom_to_ask()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var device = new DeviceIdentity("Fabrikam", "Panel 2", "SN-F-1", null);
        var statement = RoomsPortal.ConsoleClient.DeviceStatementSigner.Sign(key, device.Make, device.Model, device.SerialNumber);
        await Service<DeviceVerificationService>().VerifyAsync(device, statement, null, Ct);

        var manager = RenderPage<FailuresPage>();
        manager.WaitForAssertion(() => Assert.Equal("/settings/device-catalog?make=Fabrikam&model=Panel%202", manager.Find("[data-testid=catalog-link]").GetAttribute("href")));
        Assert.Contains("Certify this model", manager.Find("[data-testid=catalog-link]").TextContent, StringComparison.Ordinal);

        SignInAs(RoomsPortal.Web.Security.PortalRoles.Helpdesk);
        var helpdesk = Render<FailuresPage>();
        helpdesk.WaitForAssertion(() => Assert.Equal("Ask a Rooms Pro Manager to certify Fabrikam Panel 2 in Settings > Device catalog.",
            helpdesk.Find("[data-testid=catalog-ask]").TextContent.Trim()));
        Assert.Empty(helpdesk.FindAll("[data-testid=catalog-link]"));
    }
}
