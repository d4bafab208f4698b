using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Web.Components;

namespace RoomsPortal.Testing;

/// <summary>
/// Until the portal's own sign-in is in, browser tests act as a signed-in Rooms Pro Manager by replacing the
/// circuit's authentication state. Pages still read Actor and scope through PortalCaller, as in production.
/// </summary>
public static class SignedInManager
{
    public const string DisplayName = "E2E Admin";

    public static PortalFactory AsSignedInManager(this PortalFactory portal)
    {
        ArgumentNullException.ThrowIfNull(portal);
        return portal.WithServices(services => services.AddScoped<AuthenticationStateProvider, ManagerAuthenticationStateProvider>());
    }

    private sealed class ManagerAuthenticationStateProvider : AuthenticationStateProvider
    {
        private static readonly Task<AuthenticationState> State = Task.FromResult(new AuthenticationState(new ClaimsPrincipal(
            new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.NameIdentifier, "e2e-admin"),
                    new Claim(ClaimTypes.Name, DisplayName),
                    new Claim(ClaimTypes.Role, PortalCaller.ManagerRole),
                ],
                authenticationType: "e2e"))));

        public override Task<AuthenticationState> GetAuthenticationStateAsync() => State;
    }
}
