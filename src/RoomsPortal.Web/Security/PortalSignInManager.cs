using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Identity's sign-in, plus: a disabled user cannot sign in, a disabled user's cookie stops working, and a failed
/// attempt costs the same password-hash work whether the user name exists, is locked out or is unknown, so neither
/// the answer (one text, see <see cref="PortalAuthentication.SignInFailedMessage"/>) nor its timing tells them apart.
/// </summary>
internal sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    /// <summary>A hash of nothing anyone types, made with Identity's default hasher, as the portal's passwords are.</summary>
    private static readonly Lazy<string> DecoyHash = new(() =>
        new PasswordHasher<PortalUser>().HashPassword(new PortalUser(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));

    public override async Task<bool> CanSignInAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return !user.IsDisabled && await base.CanSignInAsync(user);
    }

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            SpendHashWork(password);
            return SignInResult.Failed;
        }

        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    /// <summary>A locked-out or disabled user is refused before Identity checks the password: check one all the same.</summary>
    protected override async Task<SignInResult?> PreSignInCheck(PortalUser user)
    {
        var refused = await base.PreSignInCheck(user);
        if (refused is not null)
        {
            SpendHashWork(string.Empty);
        }

        return refused;
    }

    public override async Task<PortalUser?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is { IsDisabled: true } ? null : user;
    }

    private void SpendHashWork(string password) =>
        UserManager.PasswordHasher.VerifyHashedPassword(new PortalUser(), DecoyHash.Value, password);
}
