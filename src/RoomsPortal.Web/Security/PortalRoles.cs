namespace RoomsPortal.Web.Security;

/// <summary>
/// The portal's built-in roles, modelled on the Pro Management portal's. The values are the Identity role names in
/// local mode and the app role values of the Entra ID app registration (docs/security.md), so both modes agree.
/// </summary>
public static class PortalRoles
{
    /// <summary>Everything: preferences, users and roles, every room group.</summary>
    public const string RoomsProManager = "RoomsProManager";

    /// <summary>Generates OTPs and approves or rejects consoles in the assigned room groups.</summary>
    public const string SiteLead = "SiteLead";

    /// <summary>Reads devices, OTP status and verification failures, marks failures resolved; never sees a code or a password.</summary>
    public const string Helpdesk = "Helpdesk";

    public static IReadOnlyList<string> All { get; } = [RoomsProManager, SiteLead, Helpdesk];

    /// <summary>The name people read.</summary>
    public static string DisplayName(string role) => role switch
    {
        RoomsProManager => "Rooms Pro Manager",
        SiteLead => "Site Lead",
        Helpdesk => "Helpdesk / Site Technician",
        _ => role,
    };

    /// <summary>Whether the role's assignments are limited to room groups.</summary>
    public static bool IsScopedToRoomGroups(string role) => role is SiteLead or Helpdesk;
}
