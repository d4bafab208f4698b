namespace RoomsPortal.Core.Verification;

/// <summary>Why a console could not be proven a certified device.</summary>
public enum VerificationFailureReason
{
    /// <summary>The console sent no verification information (typically: its HDMI ingest module is not connected).</summary>
    VerificationInfoNotFound,

    /// <summary>The make and model are not in the certified-device catalog.</summary>
    DeviceNotCertified,

    /// <summary>The verification information does not check out against the manufacturer's registered keys.</summary>
    VerificationInfoInvalid,
}

/// <summary>A make and model in the certified-device catalog.</summary>
public sealed class CertifiedModel
{
    public const int NameMaxLength = 100;

    public Guid Id { get; set; }

    public required string Make { get; set; }

    public required string Model { get; set; }

    public DateTime AddedAtUtc { get; set; }
}

/// <summary>A manufacturer's public key (ECDSA P-256, SubjectPublicKeyInfo) that signs its consoles' statements.</summary>
public sealed class ManufacturerKey
{
    public const int KeyMaxLength = 1024;

    public Guid Id { get; set; }

    public required string Make { get; set; }

    /// <summary>The key's name, so a manufacturer can rotate keys: several can be active at once.</summary>
    public required string KeyName { get; set; }

    /// <summary>Base64 of the SubjectPublicKeyInfo (DER).</summary>
    public required string PublicKey { get; set; }

    public bool Revoked { get; set; }

    public DateTime AddedAtUtc { get; set; }
}

/// <summary>A failed device verification, kept for the helpdesk.</summary>
public sealed class VerificationFailure
{
    public Guid Id { get; set; }

    public required string Make { get; set; }

    public required string Model { get; set; }

    public required string SerialNumber { get; set; }

    public string? FirmwareVersion { get; set; }

    public string? SourceAddress { get; set; }

    public VerificationFailureReason Reason { get; set; }

    public DateTime OccurredAtUtc { get; set; }

    public DateTime? ResolvedAtUtc { get; set; }

    public string? ResolvedBy { get; set; }

    public string? ResolutionNote { get; set; }
}

/// <summary>
/// A verified console's short-lived credential. Only a SHA-256 hash of the token is kept: the token has
/// 256 random bits, so a stolen table does not give a usable credential.
/// </summary>
public sealed class ConsoleSession
{
    public Guid Id { get; set; }

    public required string TokenHash { get; set; }

    public required string Make { get; set; }

    public required string Model { get; set; }

    public required string SerialNumber { get; set; }

    /// <summary>The console's identity (<see cref="Devices.DeviceInfo.KeyOf"/>): its agreement and its other credentials are found by it.</summary>
    public required string DeviceKey { get; set; }

    public string? FirmwareVersion { get; set; }

    public string? SourceAddress { get; set; }

    public DateTime IssuedAtUtc { get; set; }

    public DateTime ExpiresAtUtc { get; set; }

    /// <summary>When a newer credential of the same console replaced this one; a revoked credential opens nothing.</summary>
    public DateTime? RevokedAtUtc { get; set; }

    public string? AgreementVersion { get; set; }

    public DateTime? AgreementAcceptedAtUtc { get; set; }
}
