using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core.Devices;

/// <summary>How a console was set up.</summary>
public enum ProvisioningMethod
{
    Otp,
    Manual,
}

/// <summary>A console in the inventory, signed in with a resource account.</summary>
public sealed class Device
{
    public Guid Id { get; set; }

    public Guid ResourceAccountId { get; set; }

    public ResourceAccount? ResourceAccount { get; set; }

    public Guid? RoomGroupId { get; set; }

    public required string Make { get; set; }

    public required string Model { get; set; }

    public required string Serial { get; set; }

    /// <summary>Upper-case serial: one inventory row per console whatever the case it reports.</summary>
    public required string SerialKey { get; set; }

    public string? Firmware { get; set; }

    public ProvisioningMethod Method { get; set; }

    public DateTimeOffset ProvisionedAt { get; set; }

    public DateTimeOffset? SignedInAt { get; set; }
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Make).HasMaxLength(DeviceLimits.NameMaxLength).IsRequired();
        builder.Property(d => d.Model).HasMaxLength(DeviceLimits.NameMaxLength).IsRequired();
        builder.Property(d => d.Serial).HasMaxLength(DeviceLimits.SerialMaxLength).IsRequired();
        builder.Property(d => d.SerialKey).HasMaxLength(DeviceLimits.SerialMaxLength).IsRequired();
        builder.HasIndex(d => d.SerialKey).IsUnique();
        builder.Property(d => d.Firmware).HasMaxLength(DeviceLimits.FirmwareMaxLength);
        builder.Property(d => d.Method).HasConversion<string>().HasMaxLength(16);
        builder.HasOne(d => d.ResourceAccount).WithMany().HasForeignKey(d => d.ResourceAccountId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => d.RoomGroupId);
    }
}

/// <summary>What a console reports about itself when it redeems a code or signs in manually.</summary>
public sealed record DeviceInfo(string Serial, string Make, string Model, string? Firmware)
{
    /// <summary>True when every field is present, within <see cref="DeviceLimits"/> and free of control characters.</summary>
    public bool IsValid => new DeviceIdentity(Make, Model, Serial, Firmware).Validate().Count == 0;

    public string SerialKey => KeyOf(Serial);

    /// <summary>How a serial is compared and stored for matching: trimmed, upper case.</summary>
    public static string KeyOf(string serial)
    {
        ArgumentNullException.ThrowIfNull(serial);
        return serial.Trim().ToUpperInvariant();
    }

    internal DeviceInfo Trimmed() => new(Serial.Trim(), Make.Trim(), Model.Trim(), string.IsNullOrWhiteSpace(Firmware) ? null : Firmware.Trim());
}
