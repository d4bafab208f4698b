using Microsoft.AspNetCore.Authorization;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Authorization policies for pages, endpoints and hub methods. Every one of them has an explicit rule; anything
/// without one falls to <see cref="SignedIn"/> (the fallback policy), so a new page is closed by default.
/// </summary>
public static class PortalPolicies
{
    /// <summary>Preferences, users, roles, the audit log: Rooms Pro Manager only.</summary>
    public const string ManagePortal = "ManagePortal";

    /// <summary>Generating OTPs, approving and rejecting consoles: Rooms Pro Manager and Site Lead.</summary>
    public const string Provision = "Provision";

    /// <summary>Reading devices, OTP status and verification failures: every portal role.</summary>
    public const string ReadOperations = "ReadOperations";

    /// <summary>Any signed-in portal user, with or without a role (change password, access denied). The fallback.</summary>
    public const string SignedIn = "SignedIn";

    internal static AuthorizationBuilder AddPortalPolicies(this AuthorizationBuilder builder)
    {
        var signedIn = new AuthorizationPolicyBuilder(PortalAuthentication.Scheme).RequireAuthenticatedUser().Build();
        return builder
            .AddPolicy(SignedIn, signedIn)
            .SetDefaultPolicy(signedIn)
            .SetFallbackPolicy(signedIn)
            .AddPolicy(ManagePortal, p => p.Combine(signedIn).RequireRole(PortalRoles.RoomsProManager))
            .AddPolicy(Provision, p => p.Combine(signedIn).RequireRole(PortalRoles.RoomsProManager, PortalRoles.SiteLead))
            .AddPolicy(ReadOperations, p => p.Combine(signedIn).RequireRole(PortalRoles.RoomsProManager, PortalRoles.SiteLead, PortalRoles.Helpdesk));
    }
}
