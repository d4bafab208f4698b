using Microsoft.AspNetCore.Identity;

namespace RoomsPortal.Core.Users;

/// <summary>A person who signs in to the portal (local mode) or a shadow of an Entra ID user.</summary>
public sealed class PortalUser : IdentityUser
{
    /// <summary>The name shown in the app bar and the audit log.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Set for the bootstrap administrator and after an admin resets a password.</summary>
    public bool MustChangePassword { get; set; }

    /// <summary>A disabled user cannot sign in, and an existing sign-in ends at its next security check.</summary>
    public bool IsDisabled { get; set; }

    /// <summary>When the account was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
