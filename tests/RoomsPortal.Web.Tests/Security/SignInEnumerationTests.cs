using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Users;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

/// <summary>
/// The sign-in form does not tell which user names exist: a known name that gets locked out and a name nobody has read
/// the same text at every attempt, and cost the same password-hash work. Production, empty database.
/// </summary>
public sealed partial class SignInEnumerationTests : IAsyncLifetime
{
    private const string Password = "correct-horse-battery";
    private readonly CountingHasher _hasher = new();
    private PortalFactory _portal = default!;
    private HttpClient _browser = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _portal = new PortalFactory().InProduction().WithServices(s => s.AddSingleton<IPasswordHasher<PortalUser>>(_hasher));
        await _portal.CreateUserAsync("tech", Password, PortalRoles.Helpdesk);
        _browser = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Lockout_text_is_the_same_for_an_existing_and_an_unknown_user_name()
    {
        var known = new List<string>();
        var unknown = new List<string>();
        for (var attempt = 1; attempt <= PortalAuthentication.MaxFailedAttempts + 1; attempt++)
        {
            known.Add(await FailureTextAsync("tech", $"wrong-guess-{attempt}"));
            unknown.Add(await FailureTextAsync("nobody-here", $"wrong-guess-{attempt}"));
        }

        var rightPasswordWhileLocked = await FailureTextAsync("tech", Password);

        Assert.Equal(known, unknown);
        Assert.All(known.Append(rightPasswordWhileLocked), text => Assert.Equal(PortalAuthentication.SignInFailedMessage, text));
        using var scope = _portal.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        Assert.True(await users.IsLockedOutAsync((await users.FindByNameAsync("tech"))!));
    }

    [Fact]
    public async Task A_failed_sign_in_costs_one_password_check_whether_the_name_is_unknown_locked_out_or_disabled()
    {
        var before = _hasher.Verifications;
        await FailureTextAsync("nobody-here", "wrong-guess-1");
        Assert.Equal(before + 1, _hasher.Verifications);

        using (var scope = _portal.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByNameAsync("tech"))!, DateTimeOffset.UtcNow.AddMinutes(15));
        }

        before = _hasher.Verifications;
        await FailureTextAsync("tech", "wrong-guess-2");
        Assert.Equal(before + 1, _hasher.Verifications);

        var userId = (await _portal.Services.GetRequiredService<UserAdministration>().ListAsync(Ct)).Single(u => u.UserName == "tech").Id;
        await _portal.Services.GetRequiredService<UserAdministration>().SetDisabledAsync(userId, disabled: true, PortalProvisioning.Admin, Ct);
        before = _hasher.Verifications;
        await FailureTextAsync("tech", Password);
        Assert.Equal(before + 1, _hasher.Verifications);
    }

    private async Task<string> FailureTextAsync(string userName, string password)
    {
        using var response = await PortalForms.SignInAsync(_browser, userName, password, ct: Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        var alert = ErrorAlert().Match(html);
        Assert.True(alert.Success, "The sign-in page shows no error.");
        return WebUtility.HtmlDecode(alert.Groups[1].Value).Trim();
    }

    /// <summary>The text of the error alert (MudAlert puts it in its message element).</summary>
    [GeneratedRegex("data-testid=\"sign-in-error\".*?class=\"mud-alert-message\"[^>]*>([^<]*)<", RegexOptions.Singleline)]
    private static partial Regex ErrorAlert();

    /// <summary>Identity's hasher, counting how often a password is checked.</summary>
    private sealed class CountingHasher : IPasswordHasher<PortalUser>
    {
        private readonly PasswordHasher<PortalUser> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(PortalUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
