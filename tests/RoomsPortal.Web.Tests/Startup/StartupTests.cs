using System.Net;
using Microsoft.Extensions.Options;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Startup;

public sealed class StartupTests
{
    [Fact]
    public async Task Start_fails_naming_the_key_when_SqlServer_has_no_connection_string()
    {
        await using var portal = new PortalFactory().WithSetting("Database:Provider", "SqlServer");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => portal.CreateClient());

        Assert.Contains("Database:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_fails_naming_the_key_when_the_provider_is_unknown()
    {
        await using var portal = new PortalFactory().WithSetting("Database:Provider", "Oracle");

        var error = Assert.ThrowsAny<InvalidOperationException>(() => portal.CreateClient());

        Assert.Contains("Database:Provider", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_serves_the_shell_with_product_name_and_navigation()
    {
        await using var portal = new PortalFactory();
        using var client = portal.CreateClientAs(PortalRoles.RoomsProManager);

        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("RoomsPortal", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/planning/resource-accounts\"", html, StringComparison.Ordinal);
        Assert.Contains("Start by importing resource accounts", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_address_gets_404_with_the_portal_not_found_page()
    {
        await using var portal = new PortalFactory();
        using var client = portal.CreateClientAs(PortalRoles.Helpdesk);

        using var response = await client.GetAsync(new Uri("/no-such-page", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
