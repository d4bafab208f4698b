using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Users;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

/// <summary>NIST SP 800-63B 5.1.1.2: common, repetitive, sequential and context-derived passwords are refused, saying why.</summary>
public sealed class PasswordPolicyTests
{
    private const string Password = "correct-horse-battery";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("aaaaaaaaaaaa", PortalPasswordValidator.RepetitiveCode)]
    [InlineData("abcabcabcabc", PortalPasswordValidator.RepetitiveCode)]
    [InlineData("abcdefghijkl", PortalPasswordValidator.RepetitiveCode)]
    [InlineData("123456789012", PortalPasswordValidator.RepetitiveCode)]
    [InlineData("890123456789", PortalPasswordValidator.RepetitiveCode)]
    [InlineData("zyxwvutsrqpo", PortalPasswordValidator.RepetitiveCode)]
    [InlineData("ababababab12", PortalPasswordValidator.RepetitiveCode)]
    [InlineData("password1234", PortalPasswordValidator.CommonCode)]
    [InlineData("Password1234!", PortalPasswordValidator.CommonCode)]
    [InlineData("P@ssw0rd-2024!", PortalPasswordValidator.CommonCode)]
    [InlineData("2024-qwertyuiop", PortalPasswordValidator.CommonCode)]
    [InlineData("iloveyou-2025", PortalPasswordValidator.CommonCode)]
    [InlineData("1q2w3e4r5t6y", PortalPasswordValidator.CommonCode)]
    [InlineData("roomsportal12", PortalPasswordValidator.ContextCode)]
    [InlineData("RoomsPortal!2025", PortalPasswordValidator.ContextCode)]
    [InlineData("Rooms-Portal-2025", PortalPasswordValidator.ContextCode)]
    [InlineData("frontdesk-2025!", PortalPasswordValidator.ContextCode)]
    [InlineData("2025-Frontdesk-abc", PortalPasswordValidator.ContextCode)]
    [InlineData("Maria-Lopez-99", PortalPasswordValidator.ContextCode)]
    public async Task Weak_passwords_are_refused_with_the_rule_they_break(string password, string code)
    {
        var result = await ValidateAsync(password);

        Assert.Equal(code, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("correct-horse-battery")]
    [InlineData("violet harbour tractor seven")]
    [InlineData("test-admin-password-0001")]
    [InlineData("frontdesk-violet-harbour")]
    [InlineData("Xk7#mQ2$vL9p")]
    public async Task Long_unrelated_passwords_are_accepted(string password) =>
        Assert.True((await ValidateAsync(password)).Succeeded);

    [Theory]
    [InlineData("aaaaaaaaaaaa", "repeats characters or follows a sequence")]
    [InlineData("password1234", "This password is too common")]
    [InlineData("roomsportal12", "built from the portal's name or your user name")]
    public async Task Change_password_refuses_a_weak_password_with_a_clear_message_and_keeps_the_old_one(string weak, string message)
    {
        await using var portal = new PortalFactory().InProduction();
        await portal.CreateUserAsync("frontdesk", Password, PortalRoles.SiteLead);
        using var browser = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var signedIn = await PortalForms.SignInAsync(browser, "frontdesk", Password, ct: Ct);

        using var attempt = await PortalForms.SubmitAsync(browser, "/account/change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = Password,
            ["Input.NewPassword"] = weak,
            ["Input.ConfirmPassword"] = weak,
        }, Ct);

        Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        var html = WebUtility.HtmlDecode(await attempt.Content.ReadAsStringAsync(Ct));
        Assert.Contains("data-testid=\"change-password-error\"", html, StringComparison.Ordinal);
        Assert.Contains(message, html, StringComparison.Ordinal);
        using var scope = portal.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        Assert.True(await users.CheckPasswordAsync((await users.FindByNameAsync("frontdesk"))!, Password));
    }

    [Fact]
    public async Task An_administrator_cannot_give_a_new_user_a_blocklisted_password()
    {
        await using var portal = new PortalFactory().InProduction();

        var (password, error, detail) = await portal.Services.GetRequiredService<UserAdministration>()
            .CreateAsync(new NewPortalUser("frontdesk", "Front desk", PortalRoles.SiteLead, []), PortalProvisioning.Admin, "frontdesk-2025!", mustChangePassword: false, Ct);

        Assert.Null(password);
        Assert.Equal(UserChangeError.InvalidPassword, error);
        Assert.Contains("built from the portal's name or your user name", detail, StringComparison.Ordinal);
    }

    private static Task<IdentityResult> ValidateAsync(string password) =>
        new PortalPasswordValidator().ValidateAsync(null!, new PortalUser { UserName = "frontdesk", DisplayName = "Maria Lopez" }, password);
}
