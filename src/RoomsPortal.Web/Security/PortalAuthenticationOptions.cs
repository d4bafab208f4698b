using System.ComponentModel.DataAnnotations;

namespace RoomsPortal.Web.Security;

/// <summary>How people sign in to the portal.</summary>
public enum AuthenticationMode
{
    /// <summary>Accounts in the portal's own database (ASP.NET Core Identity): the embedded default.</summary>
    Local,

    /// <summary>Microsoft Entra ID (OpenID Connect for the portal, JWT bearer for APIs), settings in <c>AzureAd</c>.</summary>
    EntraId,
}

/// <summary>The <c>Authentication</c> section.</summary>
public sealed class PortalAuthenticationOptions
{
    public const string Section = "Authentication";

    public AuthenticationMode Mode { get; set; } = AuthenticationMode.Local;

    /// <summary>
    /// Entra ID mode: the token claim that carries the user's room group ids (for example an optional claim or a
    /// directory extension); each value becomes an <c>rp:room_group</c> claim.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Authentication:RoomGroupClaim must not be empty.")]
    public string RoomGroupClaim { get; set; } = "rp_room_group";
}

/// <summary>The <c>Bootstrap</c> section: the first administrator in local mode.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    /// <summary>The first administrator's password; when empty a random one is generated and logged once.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>Whether the first administrator must change the password at first sign-in (keep it on outside tests).</summary>
    public bool RequirePasswordChange { get; set; } = true;
}
