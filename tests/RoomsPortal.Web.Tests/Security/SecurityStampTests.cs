using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Users;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Account;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

/// <summary>
/// A copied sign-in cookie dies on its next request once the user signs out, changes the password, gets another role,
/// a reset password, or is disabled: the server checks the security stamp on every request. The portal runs in
/// Production on an empty database; users sign in through the real form and the copy is the real cookie.
/// </summary>
public sealed class SecurityStampTests : IAsyncLifetime
{
    private const string Password = "correct-horse-battery";
    private readonly PortalFactory _portal = new PortalFactory().InProduction();
    private readonly List<HttpClient> _clients = [];
    private string _userId = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _userId = await _portal.CreateUserAsync("lead", Password, PortalRoles.SiteLead);

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_copied_cookie_stops_working_right_after_sign_out()
    {
        var (browser, copy) = await SignedInWithCopyAsync();

        using var signedOut = await PortalForms.SignOutAsync(browser, Ct);

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.StartsWith(PortalAuthentication.SignInPath + "?signedOut=true", PortalForms.RedirectTarget(signedOut), StringComparison.Ordinal);
        await AssertRefusedAsync(copy);
        await AssertRefusedAsync(browser);
        using var page = await copy.GetAsync(new Uri("/approvals", UriKind.Relative), Ct);
        Assert.StartsWith(PortalAuthentication.SignInPath, PortalForms.RedirectTarget(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copied_cookie_stops_working_right_after_the_users_role_is_changed()
    {
        var (_, copy) = await SignedInWithCopyAsync();

        Assert.Null(await _portal.Services.GetRequiredService<UserAdministration>().AssignAsync(_userId, PortalRoles.Helpdesk, [], PortalProvisioning.Admin, Ct));

        await AssertRefusedAsync(copy);
    }

    [Fact]
    public async Task A_copied_cookie_stops_working_right_after_the_user_is_disabled()
    {
        var (_, copy) = await SignedInWithCopyAsync();

        Assert.Null(await _portal.Services.GetRequiredService<UserAdministration>().SetDisabledAsync(_userId, disabled: true, PortalProvisioning.Admin, Ct));

        await AssertRefusedAsync(copy);
    }

    [Fact]
    public async Task A_copied_cookie_stops_working_right_after_an_administrator_resets_the_password()
    {
        var (_, copy) = await SignedInWithCopyAsync();

        Assert.Null((await _portal.Services.GetRequiredService<UserAdministration>().ResetPasswordAsync(_userId, PortalProvisioning.Admin, Ct)).Error);

        await AssertRefusedAsync(copy);
    }

    [Fact]
    public async Task Changing_the_password_keeps_this_browser_signed_in_and_ends_every_copy()
    {
        var (browser, copy) = await SignedInWithCopyAsync();

        using var changed = await PortalForms.SubmitAsync(browser, "/account/change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = Password,
            ["Input.NewPassword"] = "a-brand-new-passphrase-9",
            ["Input.ConfirmPassword"] = "a-brand-new-passphrase-9",
        }, Ct);

        Assert.Equal("/", PortalForms.RedirectTarget(changed));
        using var stillIn = await browser.GetAsync(new Uri(AccountApi.MePath, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        await AssertRefusedAsync(copy);
    }

    [Fact]
    public async Task A_cookie_with_an_old_stamp_is_refused_and_one_with_the_current_stamp_works()
    {
        var current = Keep(await _portal.CreateClientForUserAsync(_userId));
        using (var before = await current.GetAsync(new Uri(AccountApi.MePath, UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var scope = _portal.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            await users.UpdateSecurityStampAsync((await users.FindByIdAsync(_userId))!);
        }

        await AssertRefusedAsync(current);
        var fresh = Keep(await _portal.CreateClientForUserAsync(_userId));
        using var after = await fresh.GetAsync(new Uri(AccountApi.MePath, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    /// <summary>Signs in through the form and copies the auth cookie, as someone who saw it would, into a second client.</summary>
    private async Task<(HttpClient Browser, HttpClient Copy)> SignedInWithCopyAsync()
    {
        var browser = Keep(_portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));
        using var signIn = await PortalForms.SignInAsync(browser, "lead", Password, ct: Ct);
        Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(PortalAuthentication.CookieName + "=", StringComparison.Ordinal));
        var copy = Keep(_portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }));
        copy.DefaultRequestHeaders.Add("Cookie", cookie.Split(';')[0]);
        using var works = await copy.GetAsync(new Uri(AccountApi.MePath, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        return (browser, copy);
    }

    private HttpClient Keep(HttpClient client)
    {
        _clients.Add(client);
        return client;
    }

    private static async Task AssertRefusedAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri(AccountApi.MePath, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
