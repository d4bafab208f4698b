using System.Security.Claims;

namespace RoomsPortal.Web.Security;

/// <summary>The portal's own claim types, added at sign-in (local mode) or mapped from the token (Entra ID).</summary>
public static class PortalClaims
{
    /// <summary>A room group (its id) the user's role applies to; one claim per group.</summary>
    public const string RoomGroup = "rp:room_group";

    /// <summary>Present while the user must change the password before doing anything else.</summary>
    public const string MustChangePassword = "rp:must_change_password";

    /// <summary>The name shown in the app bar.</summary>
    public const string DisplayName = "rp:display_name";

    /// <summary>The name to show for a signed-in user.</summary>
    public static string ShownName(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        // A daemon app's token (client credentials) has no person's name: the audit log names the app by its client id.
        return user.FindFirstValue(DisplayName) ?? user.FindFirstValue("name") ?? user.Identity?.Name
            ?? ((user.FindFirstValue("azp") ?? user.FindFirstValue("appid")) is { } app ? $"App {app}" : "Signed in");
    }

    /// <summary>The room group ids in the user's claims; malformed values are ignored.</summary>
    public static IEnumerable<Guid> RoomGroupIds(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        foreach (var claim in user.FindAll(RoomGroup))
        {
            if (Guid.TryParse(claim.Value, out var id))
            {
                yield return id;
            }
        }
    }
}
