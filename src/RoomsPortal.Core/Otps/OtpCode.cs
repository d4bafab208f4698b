using System.Security.Cryptography;
using System.Text;

namespace RoomsPortal.Core.Otps;

/// <summary>Supplies the HMAC key for OTP hashes. The key lives outside the database (a file, a vault).</summary>
public interface IOtpKeyProvider
{
    /// <summary>At least 32 bytes.</summary>
    byte[] GetKey();
}

/// <summary>A fixed key, for tests and for hosts that load the key themselves.</summary>
public sealed class StaticOtpKeyProvider : IOtpKeyProvider
{
    private readonly byte[] _key;

    public StaticOtpKeyProvider(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < OtpCode.MinKeyBytes)
        {
            throw new ArgumentException($"The OTP key must be at least {OtpCode.MinKeyBytes} bytes.", nameof(key));
        }

        _key = [.. key];
    }

    public byte[] GetKey() => _key;
}

/// <summary>
/// The OTP format: 12 characters from the RFC 8628 §6.1 base-20 alphabet (no vowels, no look-alikes), shown as
/// <c>XXXX-XXXX-XXXX</c>. Entry ignores case, dashes and spaces.
/// </summary>
public static class OtpCode
{
    public const string Alphabet = "BCDFGHJKLMNPQRSTVWXZ";
    public const int Length = 12;
    public const int MinKeyBytes = 32;

    /// <summary>A new code from the CSPRNG, formatted for display.</summary>
    public static string Generate()
    {
        var chars = RandomNumberGenerator.GetItems<char>(Alphabet, Length);
        return Format(new string(chars));
    }

    public static string Format(string normalized) =>
        $"{normalized[..4]}-{normalized[4..8]}-{normalized[8..]}";

    /// <summary>The canonical 12 upper-case characters, or null when the input is not a code.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null || input.Length > 64)
        {
            return null;
        }

        var builder = new StringBuilder(Length);
        foreach (var c in input)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (!Alphabet.Contains(upper, StringComparison.Ordinal) || builder.Length == Length)
            {
                return null;
            }

            builder.Append(upper);
        }

        return builder.Length == Length ? builder.ToString() : null;
    }

    /// <summary>Hex HMAC-SHA256 of a normalized code.</summary>
    public static string Hash(IOtpKeyProvider keys, string normalized)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var key = keys.GetKey();
        if (key.Length < MinKeyBytes)
        {
            throw new InvalidOperationException($"The OTP key must be at least {MinKeyBytes} bytes.");
        }

        return Convert.ToHexString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(normalized)));
    }
}
