using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Users;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Account;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

/// <summary>
/// The portal in the Production environment on an empty database (only the bootstrap administrator), signed in
/// through the real sign-in form: over plain HTTP, and through a TLS-terminating proxy it trusts.
/// </summary>
public sealed class ProductionHttpsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_plain_HTTP_the_sign_in_form_works_with_cookies_not_marked_Secure_and_a_warning_at_start()
    {
        await using var portal = new PortalFactory().InProduction().UseRealPort();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = portal.ServerAddress };

        using var signIn = await PortalForms.SignInAsync(browser, PortalFactory.AdminUserName, PortalFactory.AdminPassword, "/devices", Ct);

        Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
        Assert.Equal(new Uri(portal.ServerAddress, "/devices"), signIn.Headers.Location);
        Assert.DoesNotContain("secure", AuthCookie(signIn), StringComparison.OrdinalIgnoreCase);
        Assert.All(cookies.GetAllCookies(), c => Assert.False(c.Secure, c.Name));
        var me = await browser.GetFromJsonAsync<CurrentUserResponse>(new Uri(AccountApi.MePath, UriKind.Relative), Ct);
        Assert.Equal([PortalRoles.RoomsProManager], me!.Roles);
        var logs = await portal.ReadLogsAsync(Ct);
        Assert.Contains("serves plain HTTP only", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERR]", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_a_trusted_TLS_proxy_the_portal_sees_https_and_the_client_address_and_signs_in()
    {
        await using var portal = new PortalFactory().InProduction().UseRealPort().WithSetting("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
        await using var proxy = await ForwardingProxy.StartAsync(portal.ServerAddress, clientAddress: "198.51.100.23", Ct);
        var cookies = new CookieContainer();
        using var browser = new HttpClient(proxy.CreateClientHandler(cookies)) { BaseAddress = proxy.Address };
        // A client's own claim is left of what the proxy appends: the portal takes the proxy's entry.
        browser.DefaultRequestHeaders.Add("X-Forwarded-For", "10.66.66.66");

        using var signIn = await PortalForms.SignInAsync(browser, PortalFactory.AdminUserName, PortalFactory.AdminPassword, "/devices", Ct);

        Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
        // The portal builds its redirect from the scheme and host the proxy reported: https, the proxy's address.
        Assert.Equal(new Uri(proxy.Address, "/devices"), signIn.Headers.Location);
        Assert.Contains("secure", AuthCookie(signIn), StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(cookies.GetAllCookies());
        Assert.All(cookies.GetAllCookies(), c => Assert.True(c.Secure, c.Name));
        var me = await browser.GetFromJsonAsync<CurrentUserResponse>(new Uri(AccountApi.MePath, UriKind.Relative), Ct);
        Assert.Equal([PortalRoles.RoomsProManager], me!.Roles);
        var audit = await portal.Services.GetRequiredService<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.Security), Ct);
        var signedIn = Assert.Single(audit.Items, e => e.Operation == AuditOperations.SignedIn);
        Assert.Equal("source 198.51.100.23", signedIn.Details);
        var logs = await portal.ReadLogsAsync(Ct);
        Assert.DoesNotContain("serves plain HTTP only", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERR]", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_without_an_antiforgery_token_answers_400_with_the_error_page_and_no_error_in_the_log()
    {
        await using var portal = new PortalFactory().InProduction().UseRealPort();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = portal.ServerAddress };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["Input.UserName"] = PortalFactory.AdminUserName,
            ["Input.Password"] = PortalFactory.AdminPassword,
        });

        using var response = await browser.PostAsync(new Uri("/account/sign-in", UriKind.Relative), form, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The form could not be accepted", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.DoesNotContain("[ERR]", await portal.ReadLogsAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_fails_answers_500_with_the_error_page_which_does_not_fail_again()
    {
        await using var portal = new PortalFactory().InProduction().UseRealPort();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = portal.ServerAddress };
        await BreakTableAsync<PortalUser>(portal);

        using var response = await PortalForms.SignInAsync(browser, PortalFactory.AdminUserName, PortalFactory.AdminPassword, ct: Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("Something went wrong", html, StringComparison.Ordinal);
        Assert.DoesNotContain("no such table", html, StringComparison.OrdinalIgnoreCase);
    }

    private static string AuthCookie(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(PortalAuthentication.CookieName + "=", StringComparison.Ordinal));

    /// <summary>Renames the entity's table away, as a damaged database would: every query of it fails.</summary>
    internal static async Task BreakTableAsync<TEntity>(PortalFactory portal)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var table = db.Model.FindEntityType(typeof(TEntity))!.GetTableName()!;
#pragma warning disable EF1002 // The table name comes from the model, not from input.
        await db.Database.ExecuteSqlRawAsync($"ALTER TABLE \"{table}\" RENAME TO \"{table}_gone\"", Ct);
#pragma warning restore EF1002
    }
}
