using System.Security.Claims;
using Microsoft.Identity.Web;
using RoomsPortal.Core.Common;

namespace RoomsPortal.Web.Security;

/// <summary>Turns a signed-in portal user into the Core <see cref="Actor"/> that audit entries name.</summary>
public static class ActorFactory
{
    /// <summary>The user's id (local user id, or the Entra ID object id) and display name.</summary>
    public static Actor FromPrincipal(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var id = user.GetObjectId()
            ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The user has no identifier claim: only signed-in portal users act as an Actor.");
        return Actor.User(id, user.ShownName());
    }
}
