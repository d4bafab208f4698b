using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core.Approvals;

/// <summary>The decision state of a redemption.</summary>
public enum ApprovalStatus
{
    Pending,
    Approved,
    Rejected,
    Expired,
}

/// <summary>The fixed reasons an admin can give for rejecting a request.</summary>
public enum RejectReason
{
    UnrecognizedDevice,
    WrongRoom,
    DuplicateRequest,
    SecurityConcern,
    Other,

    /// <summary>
    /// Not an admin's choice: the portal closed the pending request because a newer code was generated for the account,
    /// or the account was set up manually (the note says which).
    /// </summary>
    Superseded,
}

/// <summary>A console's redemption of an OTP, waiting for (or holding) a decision.</summary>
public sealed class ApprovalRequest
{
    public const int NoteMaxLength = 500;

    public Guid Id { get; set; }

    /// <summary>Unique: one request per OTP, whatever races happen.</summary>
    public Guid OtpId { get; set; }

    public Guid ResourceAccountId { get; set; }

    public ResourceAccount? ResourceAccount { get; set; }

    public Guid? RoomGroupId { get; set; }

    public required string Serial { get; set; }

    /// <summary>The identity of the console that redeemed (<see cref="Devices.DeviceInfo.KeyOf"/>); only it may read or claim the request.</summary>
    public required string DeviceKey { get; set; }

    public required string Make { get; set; }

    public required string Model { get; set; }

    public string? Firmware { get; set; }

    public string? SourceAddress { get; set; }

    public ApprovalStatus Status { get; set; }

    public bool AutoApproved { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string? DecidedBy { get; set; }

    public RejectReason? RejectReason { get; set; }

    public string? RejectNote { get; set; }

    public Guid? DeviceId { get; set; }

    public DateTimeOffset? SignInDataReleasedAt { get; set; }
}

/// <summary>A failed redemption or manual sign-in, counted per console (make, model and serial) for the lockout.</summary>
public sealed class SetupFailure
{
    public Guid Id { get; set; }

    /// <summary>The console's identity (<see cref="Devices.DeviceInfo.KeyOf"/>). Rows written before the DeviceIdentity migration hold the serial alone.</summary>
    public required string DeviceKey { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public string? SourceAddress { get; set; }

    public required string Kind { get; set; }
}

internal sealed class ApprovalRequestConfiguration : IEntityTypeConfiguration<ApprovalRequest>
{
    public void Configure(EntityTypeBuilder<ApprovalRequest> builder)
    {
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => r.OtpId).IsUnique();
        builder.HasOne<OneTimePassword>().WithMany().HasForeignKey(r => r.OtpId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(r => r.ResourceAccount).WithMany().HasForeignKey(r => r.ResourceAccountId).OnDelete(DeleteBehavior.NoAction);
        builder.Property(r => r.Serial).HasMaxLength(DeviceLimits.SerialMaxLength).IsRequired();
        builder.Property(r => r.DeviceKey).HasMaxLength(DeviceLimits.KeyMaxLength).IsRequired();
        builder.Property(r => r.Make).HasMaxLength(DeviceLimits.NameMaxLength).IsRequired();
        builder.Property(r => r.Model).HasMaxLength(DeviceLimits.NameMaxLength).IsRequired();
        builder.Property(r => r.Firmware).HasMaxLength(DeviceLimits.FirmwareMaxLength);
        builder.Property(r => r.SourceAddress).HasMaxLength(64);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.RejectReason).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.RejectNote).HasMaxLength(ApprovalRequest.NoteMaxLength);
        builder.Property(r => r.DecidedBy).HasMaxLength(256);
        builder.HasIndex(r => new { r.Status, r.RequestedAt });
        builder.HasIndex(r => new { r.RoomGroupId, r.Status });
        builder.HasIndex(r => r.ResourceAccountId);
    }
}

internal sealed class SetupFailureConfiguration : IEntityTypeConfiguration<SetupFailure>
{
    public void Configure(EntityTypeBuilder<SetupFailure> builder)
    {
        builder.HasKey(f => f.Id);
        builder.Property(f => f.DeviceKey).HasMaxLength(DeviceLimits.KeyMaxLength).IsRequired();
        builder.Property(f => f.SourceAddress).HasMaxLength(64);
        builder.Property(f => f.Kind).HasMaxLength(32).IsRequired();
        builder.HasIndex(f => new { f.DeviceKey, f.OccurredAt });
        builder.HasIndex(f => f.OccurredAt);
    }
}
