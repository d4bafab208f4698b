using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using RoomsPortal.Core.Common;

namespace RoomsPortal.Web.Components;

/// <summary>
/// Who is using a page, as Core services need it: the <see cref="Actor"/> for the audit log and the
/// <see cref="AccessScope"/> that filters every query. Pages take both from here, never from their own parameters.
/// </summary>
public sealed class PortalCaller(AuthenticationStateProvider authentication)
{
    public const string RoomGroupClaim = "rp:room_group";
    public const string ManagerRole = "RoomsProManager";

    public async Task<(Actor Actor, AccessScope Scope)> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return (ActorOf(user), ScopeOf(user));
    }

    public static Actor ActorOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity?.Name ?? "unknown";
        return Actor.User(id, user.Identity?.Name ?? id);
    }

    public static AccessScope ScopeOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return AccessScope.ForRoomGroups([]);
        }

        return user.IsInRole(ManagerRole)
            ? AccessScope.All
            : AccessScope.ForRoomGroups(user.FindAll(RoomGroupClaim).Select(c => Guid.TryParse(c.Value, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty));
    }
}
