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

    /// <summary>The console's identity (<see cref="DeviceInfo.KeyOf"/>): one inventory row per console, whatever the case it reports.</summary>
    public required string DeviceKey { get; set; }

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
        builder.Property(d => d.DeviceKey).HasMaxLength(DeviceLimits.KeyMaxLength).IsRequired();
        builder.HasIndex(d => d.DeviceKey).IsUnique();
        builder.Property(d => d.Firmware).HasMaxLength(DeviceLimits.FirmwareMaxLength);
        builder.Property(d => d.Method).HasConversion<string>().HasMaxLength(16);
        builder.HasOne(d => d.ResourceAccount).WithMany().HasForeignKey(d => d.ResourceAccountId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => d.RoomGroupId);
    }
}

/// <summary>What a console reports about itself when it redeems a code or signs in manually.</summary>
public sealed record DeviceInfo(string Serial, string Make, string Model, string? Firmware)
{
    /// <summary>Joins the fields of a <see cref="KeyOf"/> key (U+001F, the unit separator).</summary>
    public const char KeySeparator = '\u001F';

    /// <summary>True when every field is present, within <see cref="DeviceLimits"/> and free of control and format characters.</summary>
    public bool IsValid => new DeviceIdentity(Make, Model, Serial, Firmware).Validate().Count == 0;

    /// <summary>This console's identity: make, model and serial, normalised (<see cref="KeyOf"/>).</summary>
    public string Key => KeyOf(Make, Model, Serial);

    /// <summary>This console as the audit log names it.</summary>
    public Common.Actor Actor => Common.Actor.Console(Make, Model, Serial);

    /// <summary>
    /// A console's identity as it is stored and compared: make, model and serial number, each trimmed and upper-cased
    /// (invariant), joined by U+001F. The separator is a control character, which no field may contain
    /// (<see cref="DeviceIdentity.Validate"/>), so two different consoles never share a key. It is what the
    /// manufacturer's signed statement covers: a console of another make or model with the same serial is another console.
    /// </summary>
    public static string KeyOf(string make, string model, string serial)
    {
        ArgumentNullException.ThrowIfNull(make);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(serial);
        return string.Join(KeySeparator, make.Trim().ToUpperInvariant(), model.Trim().ToUpperInvariant(), NormalizeSerial(serial));
    }

    /// <summary>A serial number alone, trimmed and upper case: only for lists of serials an admin types (pre-registration).</summary>
    public static string NormalizeSerial(string serial)
    {
        ArgumentNullException.ThrowIfNull(serial);
        return serial.Trim().ToUpperInvariant();
    }

    internal DeviceInfo Trimmed() => new(Serial.Trim(), Make.Trim(), Model.Trim(), string.IsNullOrWhiteSpace(Firmware) ? null : Firmware.Trim());
}
