using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Users;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Api.Account;

/// <summary>What the signed-in caller is: for scripts and for the portal's own checks.</summary>
public sealed record CurrentUserResponse(string Name, IReadOnlyList<string> Roles, bool AllRoomGroups, IReadOnlyList<Guid> RoomGroupIds);

/// <summary>
/// Sign-out, the Entra ID sign-in challenge and <c>GET /api/portal/v1/me</c>. The sign-in and change-password forms
/// are pages (Components/Pages/Account) because they render the portal's look; sign-out is a POST with antiforgery.
/// </summary>
public static class AccountApi
{
    public const string MePath = "/api/portal/v1/me";

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost(PortalAuthentication.SignOutPath, SignOutAsync).RequireAuthorization(PortalPolicies.SignedIn);

        var mode = app.ServiceProvider.GetRequiredService<IOptions<PortalAuthenticationOptions>>().Value.Mode;
        if (mode == AuthenticationMode.EntraId)
        {
            app.MapGet(PortalAuthentication.EntraSignInPath, (string? returnUrl) => TypedResults.Challenge(
                    new AuthenticationProperties { RedirectUri = PortalAuthentication.SafeReturnUrl(returnUrl) },
                    [OpenIdConnectDefaults.AuthenticationScheme]))
                .AllowAnonymous();
        }

        app.MapGet(MePath, (HttpContext http) =>
            {
                var scope = AccessScopeFactory.FromPrincipal(http.User);
                return TypedResults.Ok(new CurrentUserResponse(
                    http.User.ShownName(),
                    PortalRoles.All.Where(http.User.IsInRole).ToList(),
                    scope.IsUnrestricted,
                    scope.RoomGroupIds?.Order().ToList() ?? []));
            })
            .RequireAuthorization(PortalPolicies.ReadOperations)
            .WithTags("Portal");
        return app;
    }

    private static async Task<IResult> SignOutAsync(
        HttpContext http,
        [FromForm] string? returnUrl,
        ISignInAuditor auditor,
        IOptions<PortalAuthenticationOptions> options)
    {
        var actor = ActorFactory.FromPrincipal(http.User);
        await auditor.SignedOutAsync(actor.Id, actor.DisplayName, http.RequestAborted);
        if (options.Value.Mode == AuthenticationMode.EntraId)
        {
            return TypedResults.SignOut(
                new AuthenticationProperties { RedirectUri = "/" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
        }

        var signIn = http.RequestServices.GetRequiredService<SignInManager<PortalUser>>();
        // A new stamp ends this sign-in everywhere: a copy of the cookie (taken from the browser, a proxy log, a
        // shared machine) stops working on its next request, not at the end of its sliding eight hours.
        if (await signIn.UserManager.GetUserAsync(http.User) is { } user)
        {
            await signIn.UserManager.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        return TypedResults.LocalRedirect(
            $"{PortalAuthentication.SignInPath}?signedOut=true&returnUrl={Uri.EscapeDataString(PortalAuthentication.SafeReturnUrl(returnUrl))}");
    }
}
