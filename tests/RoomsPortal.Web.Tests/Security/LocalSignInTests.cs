using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Users;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Account;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

public sealed class LocalSignInTests : IAsyncLifetime
{
    private const string Password = "correct-horse-battery";
    private readonly PortalFactory _portal = new();
    private HttpClient _browser = default!;

    public async ValueTask InitializeAsync()
    {
        await _portal.CreateUserAsync("tech", Password, PortalRoles.Helpdesk);
        _browser = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Correct_password_signs_in_and_returns_to_the_local_return_url()
    {
        using var response = await PortalForms.SignInAsync(_browser, "tech", Password, "/devices", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/devices", PortalForms.RedirectTarget(response));
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(PortalAuthentication.CookieName, StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var me = await _browser.GetFromJsonAsync<CurrentUserResponse>(new Uri(AccountApi.MePath, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal([PortalRoles.Helpdesk], me!.Roles);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task Foreign_return_url_is_replaced_by_the_dashboard(string returnUrl)
    {
        using var response = await PortalForms.SignInAsync(_browser, "tech", Password, returnUrl, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/", PortalForms.RedirectTarget(response));
    }

    [Fact]
    public async Task Wrong_password_says_so_without_telling_which_part_was_wrong()
    {
        using var wrongPassword = await PortalForms.SignInAsync(_browser, "tech", "not-the-password", ct: TestContext.Current.CancellationToken);
        using var unknownUser = await PortalForms.SignInAsync(_browser, "nobody", "not-the-password", ct: TestContext.Current.CancellationToken);

        Assert.Contains("The user name or password is incorrect.", await wrongPassword.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("The user name or password is incorrect.", await unknownUser.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_sign_in_failure_and_success_is_in_the_audit_log_without_what_was_typed()
    {
        using var wrong = await PortalForms.SignInAsync(_browser, "tech", "typed-secret-1", ct: TestContext.Current.CancellationToken);
        using var right = await PortalForms.SignInAsync(_browser, "tech", Password, ct: TestContext.Current.CancellationToken);

        var entries = await _portal.Services.GetRequiredService<AuditService>()
            .QueryAsync(new AuditQuery(Category: AuditCategory.Security), TestContext.Current.CancellationToken);
        var failed = Assert.Single(entries.Items, e => e.Operation == AuditOperations.SignInFailed);
        Assert.Equal(AuditResult.Failed, failed.Result);
        Assert.Contains(LoggingSignInAuditor.HashUserName("tech"), failed.Target, StringComparison.Ordinal);
        Assert.DoesNotContain("typed-secret-1", failed.Details ?? "", StringComparison.Ordinal);
        Assert.Single(entries.Items, e => e.Operation == AuditOperations.SignedIn && e.Target == "tech");
    }

    [Fact]
    public async Task Wrong_current_passwords_on_change_password_count_toward_lockout_and_are_audited()
    {
        using var signedIn = await PortalForms.SignInAsync(_browser, "tech", Password, ct: TestContext.Current.CancellationToken);
        Assert.Equal("/", PortalForms.RedirectTarget(signedIn));

        for (var i = 1; i <= 5; i++)
        {
            using var attempt = await PortalForms.SubmitAsync(_browser, "/account/change-password", new Dictionary<string, string>
            {
                ["Input.CurrentPassword"] = $"guess-{i}",
                ["Input.NewPassword"] = "a-brand-new-password-1",
                ["Input.ConfirmPassword"] = "a-brand-new-password-1",
            }, TestContext.Current.CancellationToken);
        }

        using var scope = _portal.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var tech = await users.FindByNameAsync("tech");
        Assert.True(await users.IsLockedOutAsync(tech!));
        Assert.True(await users.CheckPasswordAsync(tech!, Password), "the password did not change");
        var failures = await _portal.Services.GetRequiredService<AuditService>()
            .QueryAsync(new AuditQuery(Category: AuditCategory.Security), TestContext.Current.CancellationToken);
        Assert.Equal(5, failures.Items.Count(e => e.Operation == AuditOperations.SignInFailed && e.Details!.StartsWith("InvalidCredentials", StringComparison.Ordinal)));
        using var afterwards = await PortalForms.SignInAsync(_browser, "tech", Password, ct: TestContext.Current.CancellationToken);
        Assert.NotEqual("/", PortalForms.RedirectTarget(afterwards));
    }

    [Fact]
    public async Task Five_failures_lock_the_account_for_fifteen_minutes_even_for_the_right_password()
    {
        for (var i = 1; i < PortalAuthentication.MaxFailedAttempts; i++)
        {
            using var failed = await PortalForms.SignInAsync(_browser, "tech", $"wrong-{i}", ct: TestContext.Current.CancellationToken);
            Assert.Contains("The user name or password is incorrect.", await failed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        using var fifth = await PortalForms.SignInAsync(_browser, "tech", "wrong-5", ct: TestContext.Current.CancellationToken);
        using var right = await PortalForms.SignInAsync(_browser, "tech", Password, ct: TestContext.Current.CancellationToken);

        // Locked out: even the right password gets the one failure text (the same an unknown user name gets).
        Assert.Contains("The user name or password is incorrect.", await fifth.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("The user name or password is incorrect.", await right.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Null(PortalForms.RedirectTarget(right));
        using var scope = _portal.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByNameAsync("tech");
        var remaining = user!.LockoutEnd!.Value - DateTimeOffset.UtcNow;
        Assert.InRange(remaining.TotalMinutes, PortalAuthentication.LockoutMinutes - 1, PortalAuthentication.LockoutMinutes);
    }

    [Fact]
    public async Task Attempts_for_one_user_name_are_throttled_with_429()
    {
        HttpResponseMessage? last = null;
        for (var i = 0; i <= new SignInThrottleOptions().AttemptsPerUserNamePerFiveMinutes; i++)
        {
            last?.Dispose();
            last = await PortalForms.SignInAsync(_browser, "someone-else", $"guess-{i}", ct: TestContext.Current.CancellationToken);
        }

        using (last)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
            Assert.NotNull(last.Headers.RetryAfter);
            Assert.Contains("Too many sign-in attempts", await last.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Disabled_user_cannot_sign_in_and_loses_the_existing_sign_in()
    {
        using var scope = _portal.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByNameAsync("tech");
        Assert.Null(await _portal.Services.GetRequiredService<UserAdministration>().SetDisabledAsync(user!.Id, disabled: true, PortalProvisioning.Admin, TestContext.Current.CancellationToken));
        using var attempt = await PortalForms.SignInAsync(_browser, "tech", Password, ct: TestContext.Current.CancellationToken);

        Assert.Contains("The user name or password is incorrect.", await attempt.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        // A fresh scope, as the next request would have; even a cookie with the current stamp is refused.
        using var later = _portal.Services.CreateScope();
        var signIn = later.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>();
        var principal = await signIn.CreateUserPrincipalAsync((await signIn.UserManager.FindByIdAsync(user.Id))!);
        Assert.Null(await signIn.ValidateSecurityStampAsync(principal));
    }

    [Fact]
    public async Task User_who_must_change_the_password_is_sent_to_change_it_until_done()
    {
        var (password, _, _) = await _portal.Services.GetRequiredService<UserAdministration>()
            .CreateAsync(new NewPortalUser("newlead", null, PortalRoles.SiteLead, []), PortalProvisioning.Admin, ct: TestContext.Current.CancellationToken);
        using var browser = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var signIn = await PortalForms.SignInAsync(browser, "newlead", password!, ct: TestContext.Current.CancellationToken);
        Assert.Equal("/account/change-password?returnUrl=%2F", PortalForms.RedirectTarget(signIn));
        using var home = await browser.GetAsync(new Uri("/approvals", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal("/account/change-password?returnUrl=%2Fapprovals", PortalForms.RedirectTarget(home));
        using var api = await browser.GetAsync(new Uri(AccountApi.MePath, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);

        using var changed = await PortalForms.SubmitAsync(
            browser,
            "/account/change-password?returnUrl=%2Fapprovals",
            new Dictionary<string, string>
            {
                ["Input.CurrentPassword"] = password!,
                ["Input.NewPassword"] = "my-own-long-password",
                ["Input.ConfirmPassword"] = "my-own-long-password",
            },
            TestContext.Current.CancellationToken);

        Assert.Equal("/approvals", PortalForms.RedirectTarget(changed));
        using var approvals = await browser.GetAsync(new Uri("/approvals", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, approvals.StatusCode);
    }
}
