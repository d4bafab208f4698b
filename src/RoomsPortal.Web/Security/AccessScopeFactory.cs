using System.Security.Claims;
using RoomsPortal.Core.Common;

namespace RoomsPortal.Web.Security;

/// <summary>Turns a signed-in user into the <see cref="AccessScope"/> that Core services filter by.</summary>
public static class AccessScopeFactory
{
    /// <summary>
    /// Rooms Pro Manager: every room group. Site Lead and Helpdesk: only their assigned groups. Anyone else
    /// (anonymous, no role): nothing.
    /// </summary>
    public static AccessScope FromPrincipal(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return AccessScope.ForRoomGroups([]);
        }

        if (user.IsInRole(PortalRoles.RoomsProManager))
        {
            return AccessScope.All;
        }

        return user.IsInRole(PortalRoles.SiteLead) || user.IsInRole(PortalRoles.Helpdesk)
            ? AccessScope.ForRoomGroups(user.RoomGroupIds())
            : AccessScope.ForRoomGroups([]);
    }
}
