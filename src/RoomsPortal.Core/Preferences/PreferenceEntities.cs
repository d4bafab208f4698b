using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core.Preferences;

/// <summary>The tenant-wide preferences: a single row (Id 1), created with defaults on first read.</summary>
public sealed class TenantPreferences
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public int OtpValidityHours { get; set; } = PreferenceLimits.DefaultOtpValidityHours;

    public bool AutoApproval { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A room group whose auto-approval differs from the tenant's (no row: inherit).</summary>
public sealed class RoomGroupApprovalOverride
{
    public Guid RoomGroupId { get; set; }

    public bool AutoApproval { get; set; }
}

/// <summary>A console serial approved automatically even when auto approval is off.</summary>
public sealed class PreRegisteredDevice
{
    public required string SerialKey { get; set; }

    public DateTimeOffset AddedAt { get; set; }
}

internal sealed class TenantPreferencesConfiguration : IEntityTypeConfiguration<TenantPreferences>
{
    public void Configure(EntityTypeBuilder<TenantPreferences> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();
    }
}

internal sealed class RoomGroupApprovalOverrideConfiguration : IEntityTypeConfiguration<RoomGroupApprovalOverride>
{
    public void Configure(EntityTypeBuilder<RoomGroupApprovalOverride> builder)
    {
        builder.HasKey(o => o.RoomGroupId);
        builder.HasOne<RoomGroup>().WithMany().HasForeignKey(o => o.RoomGroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PreRegisteredDeviceConfiguration : IEntityTypeConfiguration<PreRegisteredDevice>
{
    public void Configure(EntityTypeBuilder<PreRegisteredDevice> builder)
    {
        builder.HasKey(d => d.SerialKey);
        builder.Property(d => d.SerialKey).HasMaxLength(DeviceLimits.SerialMaxLength);
    }
}
