namespace RoomsPortal.Core.Verification;

/// <summary>Field limits of what a console says about itself; the API rejects anything longer.</summary>
public static class DeviceLimits
{
    public const int NameMaxLength = 100;
    public const int SerialMaxLength = 64;
    public const int FirmwareMaxLength = 64;
    public const int VerificationInfoMaxLength = 512;
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

        return errors;
    }

    /// <summary>The same device whatever the case or surrounding spaces the console used.</summary>
    public bool IsSameDevice(string make, string model, string serialNumber) =>
        string.Equals(Make.Trim(), make.Trim(), StringComparison.OrdinalIgnoreCase)
        && string.Equals(Model.Trim(), model.Trim(), StringComparison.OrdinalIgnoreCase)
        && string.Equals(SerialNumber.Trim(), serialNumber.Trim(), StringComparison.OrdinalIgnoreCase);

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
        else if (value.Any(char.IsControl))
        {
            errors[field] = $"{field} contains control characters.";
        }
    }
}
