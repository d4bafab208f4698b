namespace RoomsPortal.Core.Verification;

/// <summary>Field limits of what a console says about itself; the API rejects anything longer.</summary>
public static class DeviceLimits
{
    public const int NameMaxLength = 100;
    public const int SerialMaxLength = 64;
    public const int FirmwareMaxLength = 64;
    public const int VerificationInfoMaxLength = 512;

    /// <summary>The longest device key: make, model and serial with their two separators.</summary>
    public const int KeyMaxLength = NameMaxLength + 1 + NameMaxLength + 1 + SerialMaxLength;
}

/// <summary>Checks on the short texts a console sends (device fields, agreement version).</summary>
public static class ProtocolText
{
    /// <summary>
    /// True when <paramref name="value"/> holds a control character (C0, C1, DEL) or a format character (Unicode Cf:
    /// zero-width spaces and joiners, bidirectional marks), which would make two different values look the same on a
    /// page or in the audit log.
    /// </summary>
    public static bool HasControlOrFormatCharacters(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            if (char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What a console says it is.</summary>
public sealed record DeviceIdentity(string Make, string Model, string SerialNumber, string? FirmwareVersion)
{
    /// <summary>Field name → what is wrong; empty when the identity is acceptable.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        Require(errors, "make", Make, DeviceLimits.NameMaxLength);
        Require(errors, "model", Model, DeviceLimits.NameMaxLength);
        Require(errors, "serialNumber", SerialNumber, DeviceLimits.SerialMaxLength);
        if (FirmwareVersion is { Length: > DeviceLimits.FirmwareMaxLength })
        {
            errors["firmwareVersion"] = $"firmwareVersion is longer than {DeviceLimits.FirmwareMaxLength} characters.";
        }
        else if (FirmwareVersion is not null && ProtocolText.HasControlOrFormatCharacters(FirmwareVersion))
        {
            errors["firmwareVersion"] = "firmwareVersion contains control or format characters.";
        }

        return errors;
    }

    /// <summary>The device's identity: make, model and serial, normalised (<see cref="Devices.DeviceInfo.KeyOf"/>).</summary>
    public string Key => Devices.DeviceInfo.KeyOf(Make, Model, SerialNumber);

    private static void Require(Dictionary<string, string> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = $"{field} is required.";
        }
        else if (value.Length > max)
        {
            errors[field] = $"{field} is longer than {max} characters.";
        }
        else if (ProtocolText.HasControlOrFormatCharacters(value))
        {
            errors[field] = $"{field} contains control or format characters.";
        }
    }
}
