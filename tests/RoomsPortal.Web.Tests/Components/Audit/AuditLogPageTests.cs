using Bunit;
using RoomsPortal.Testing;
using RoomsPortal.Web.Components.Pages.Audit;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components.Audit;

public sealed class AuditLogPageTests : PortalComponentContext
{
    [Fact]
    public void No_entries_says_what_writes_them()
    {
        var page = RenderPage<AuditLog>();

        page.WaitForAssertion(() => Assert.Contains("No audit entries match.",
            page.Find("[data-testid='audit-empty']").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shows_entries_and_filters_by_actor_and_target()
    {
        var admin = new PortalProvisioning(Services);
        await admin.CreateAccountAsync("room-1@contoso.com", ct: Ct);
        await admin.CreateAccountAsync("room-2@contoso.com", ct: Ct);

        var page = RenderPage<AuditLog>();
        page.WaitForAssertion(() => Assert.Contains("ResourceAccounts.Imported", page.Markup, StringComparison.Ordinal));
        Assert.Contains("Test Admin", page.Markup, StringComparison.Ordinal);

        Type(page.Find("[data-testid='audit-actor']"), "nobody-like-this");
        page.WaitForAssertion(() => page.Find("[data-testid='audit-empty']"));
        Type(page.Find("[data-testid='audit-actor']"), "test admin");
        page.WaitForAssertion(() => Assert.Contains("ResourceAccounts.Imported", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_downloads_the_date_range_as_csv()
    {
        await new PortalProvisioning(Services).CreateAccountAsync("room-1@contoso.com", ct: Ct);
        var download = JSInterop.SetupVoid("roomsPortal.downloadText", _ => true);
        var page = RenderPage<AuditLog>();
        page.WaitForAssertion(() => Assert.Contains("ResourceAccounts.Imported", page.Markup, StringComparison.Ordinal));

        page.Find("[data-testid='audit-export']").Click();

        var call = Assert.Single(download.Invocations);
        Assert.Equal("audit-20261004-20261102.csv", call.Arguments[0]);
        Assert.Contains("ResourceAccounts.Imported", (string)call.Arguments[1]!, StringComparison.Ordinal);
    }

    /// <summary>Types into a debounced search box and leaves it, which commits the text at once.</summary>
    private static void Type(AngleSharp.Dom.IElement input, string text)
    {
        input.Input(text);
        input.Blur();
    }
}
