using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Security;

public sealed partial class SecurityHeadersTests
{
    [Fact]
    public async Task Pages_carry_a_nonce_based_CSP_and_the_anti_framing_and_sniffing_headers()
    {
        await using var portal = new PortalFactory();
        using var client = portal.CreateClientAs(Web.Security.PortalRoles.RoomsProManager);

        using var response = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        var nonce = CspNonce().Match(csp).Groups[1].Value;
        Assert.NotEmpty(nonce);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        // Every script is either a file from this origin or an inline script carrying this response's nonce.
        Assert.All(ScriptTag().Matches(html), script => Assert.True(
            script.Value.Contains(" src=", StringComparison.Ordinal) || System.Net.WebUtility.HtmlDecode(script.Value).Contains($"nonce=\"{nonce}\"", StringComparison.Ordinal),
            $"inline script without the nonce: {script.Value}"));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "no HSTS in Development");
    }

    [Fact]
    public async Task Each_response_gets_its_own_nonce()
    {
        await using var portal = new PortalFactory();
        using var client = portal.CreateAnonymousClient();

        using var first = await client.GetAsync(new Uri("/account/sign-in", UriKind.Relative), TestContext.Current.CancellationToken);
        using var second = await client.GetAsync(new Uri("/account/sign-in", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.NotEqual(
            CspNonce().Match(first.Headers.GetValues("Content-Security-Policy").Single()).Groups[1].Value,
            CspNonce().Match(second.Headers.GetValues("Content-Security-Policy").Single()).Groups[1].Value);
    }

    [Fact]
    public async Task Outside_Development_HTTPS_responses_carry_HSTS_and_cookies_are_Secure()
    {
        await using var portal = new PortalFactory();
        await using var production = portal.WithWebHostBuilder(web => web.UseEnvironment("Production"));
        using var client = production.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            BaseAddress = new Uri("https://rooms.example.test/"),
        });

        using var response = await client.GetAsync(new Uri("/account/sign-in", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
        var antiforgery = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("RoomsPortal.Antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", antiforgery, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex CspNonce();
}
