using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using RoomsPortal.Core.Common;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Components;

/// <summary>
/// Who is using a page, as Core services need it: the <see cref="Actor"/> for the audit log and the
/// <see cref="AccessScope"/> that filters every query. Pages take both from here, never from their own parameters.
/// </summary>
public sealed class PortalCaller(AuthenticationStateProvider authentication)
{
    public const string RoomGroupClaim = PortalClaims.RoomGroup;
    public const string ManagerRole = PortalRoles.RoomsProManager;

    public async Task<(Actor Actor, AccessScope Scope)> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return (ActorOf(user), ScopeOf(user));
    }

    public static Actor ActorOf(ClaimsPrincipal user) => ActorFactory.FromPrincipal(user);

    public static AccessScope ScopeOf(ClaimsPrincipal user) => AccessScopeFactory.FromPrincipal(user);
}
