using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RoomsPortal.Core.Common;

namespace RoomsPortal.Core.Audit;

/// <summary>The audit log's categories.</summary>
public enum AuditCategory
{
    ResourceAccounts,
    Otps,
    Approvals,
    Devices,
    Preferences,
    Security,
    RoomGroups,
    DeviceCatalog,
    Users,
    ApiKeys,
    Notifications,
}

/// <summary>Whether the audited operation succeeded.</summary>
public enum AuditResult
{
    Successful,
    Failed,
}

/// <summary>One audit log line. Never holds a code or a password.</summary>
public sealed class AuditEntry
{
    public const int TextMaxLength = 256;
    public const int DetailsMaxLength = 4000;

    public Guid Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public required string ActorId { get; set; }

    public required string ActorName { get; set; }

    public AuditCategory Category { get; set; }

    public required string Operation { get; set; }

    public required string Target { get; set; }

    public AuditResult Result { get; set; }

    public string? Details { get; set; }

    /// <summary>
    /// A new entry for the caller to add to the unit of work that makes the change, so the change and its entry commit
    /// together (Core services, and Web's user administration over Identity's context).
    /// </summary>
    public static AuditEntry Create(
        DateTimeOffset now, Actor actor, AuditCategory category, string operation, string target,
        AuditResult result = AuditResult.Successful, string? details = null) => new()
        {
            Id = Guid.NewGuid(),
            OccurredAt = now,
            ActorId = Truncate(actor.Id, TextMaxLength),
            ActorName = Truncate(actor.DisplayName, TextMaxLength),
            Category = category,
            Operation = operation,
            Target = Truncate(target, TextMaxLength),
            Result = result,
            Details = details is null ? null : Truncate(details, DetailsMaxLength),
        };

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>The operations written to the audit log (stable strings: exports and filters use them).</summary>
public static class AuditOperations
{
    public const string AccountsImported = "ResourceAccounts.Imported";
    public const string AccountUpdated = "ResourceAccounts.Updated";
    public const string RoomGroupCreated = "RoomGroups.Created";
    public const string ApiKeyCreated = "ApiKeys.Created";
    public const string ApiKeyRevoked = "ApiKeys.Revoked";
    public const string RoomGroupRenamed = "RoomGroups.Renamed";
    public const string RoomGroupDeleted = "RoomGroups.Deleted";
    public const string RoomGroupAccountsAssigned = "RoomGroups.AccountsAssigned";
    public const string ManufacturerKeyAdded = "Catalog.KeyAdded";
    public const string ManufacturerKeyRevoked = "Catalog.KeyRevoked";
    public const string CertifiedModelAdded = "Catalog.ModelAdded";
    public const string CertifiedModelRemoved = "Catalog.ModelRemoved";
    public const string AgreementPublished = "Catalog.AgreementPublished";
    public const string AgreementDeleted = "Catalog.AgreementDeleted";
    public const string AgreementAccepted = "Devices.AgreementAccepted";
    public const string UserCreated = "Users.Created";
    public const string UserRoleChanged = "Users.RoleChanged";
    public const string UserPasswordReset = "Users.PasswordReset";
    public const string UserDisabled = "Users.Disabled";
    public const string UserEnabled = "Users.Enabled";
    public const string UserEmailChanged = "Users.EmailChanged";
    public const string OtpGenerated = "Otps.Generated";
    public const string OtpRevoked = "Otps.Revoked";
    public const string OtpRunStarted = "Otps.RunStarted";
    public const string OtpRunShown = "Otps.RunShown";
    public const string OtpRunAbandoned = "Otps.RunAbandoned";
    public const string SheetsDownloaded = "Otps.SheetsDownloaded";
    public const string OtpRedeemed = "Otps.Redeemed";
    public const string RedemptionFailed = "Otps.RedemptionFailed";
    public const string RequestApproved = "Approvals.Approved";
    public const string RequestAutoApproved = "Approvals.AutoApproved";
    public const string RequestRejected = "Approvals.Rejected";
    public const string RequestExpired = "Approvals.Expired";
    public const string RequestSuperseded = "Approvals.Superseded";
    public const string SignInDataReleased = "Devices.SignInDataReleased";
    public const string SignInDataRefused = "Security.SignInDataRefused";
    public const string ManualSignInSucceeded = "Devices.ManualSignIn";
    public const string ManualSignInFailed = "Security.ManualSignInFailed";
    public const string VerificationFailureResolved = "Devices.VerificationFailureResolved";
    public const string LockedOutAttempt = "Security.LockedOutAttempt";
    public const string PreferencesUpdated = "Preferences.Updated";
    public const string SignedIn = "Security.SignedIn";
    public const string SignInFailed = "Security.SignInFailed";
    public const string SignedOut = "Security.SignedOut";
    public const string PasswordChanged = "Security.PasswordChanged";
    public const string KeysReplaced = "Security.KeysReplaced";
    public const string ChannelCreated = "Notifications.ChannelCreated";
    public const string ChannelEnabled = "Notifications.ChannelEnabled";
    public const string ChannelDisabled = "Notifications.ChannelDisabled";
    public const string ChannelSecretRotated = "Notifications.SecretRotated";
    public const string ChannelDeleted = "Notifications.ChannelDeleted";
    public const string ChannelTested = "Notifications.TestSent";
    public const string DeliveryRequeued = "Notifications.Redelivered";
    public const string ChannelDigestChanged = "Notifications.DigestChanged";
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.HasKey(e => e.Id);
        builder.Property(e => e.ActorId).HasMaxLength(AuditEntry.TextMaxLength).IsRequired();
        builder.Property(e => e.ActorName).HasMaxLength(AuditEntry.TextMaxLength).IsRequired();
        builder.Property(e => e.Category).HasConversion<string>().HasMaxLength(32);
        builder.Property(e => e.Operation).HasMaxLength(64).IsRequired();
        builder.Property(e => e.Target).HasMaxLength(AuditEntry.TextMaxLength).IsRequired();
        builder.Property(e => e.Result).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Details).HasMaxLength(AuditEntry.DetailsMaxLength);
        builder.HasIndex(e => e.OccurredAt);
        builder.HasIndex(e => new { e.Category, e.OccurredAt });
    }
}
