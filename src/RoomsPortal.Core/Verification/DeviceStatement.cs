using System.Security.Cryptography;
using System.Text;

namespace RoomsPortal.Core.Verification;

/// <summary>
/// The verification information a certified console carries (on its HDMI ingest module): the manufacturer's
/// ECDSA P-256 / SHA-256 signature, IEEE P1363 form, base64url without padding, over the UTF-8 bytes of
/// <c>RoomsPortal-DeviceStatement-v1\n{make}\n{model}\n{serialNumber}</c> (each value trimmed, as sent).
/// docs/console-protocol.md documents it for device makers.
/// </summary>
public static class DeviceStatement
{
    public const string Version = "RoomsPortal-DeviceStatement-v1";

    public static byte[] Payload(string make, string model, string serialNumber) =>
        Encoding.UTF8.GetBytes($"{Version}\n{make.Trim()}\n{model.Trim()}\n{serialNumber.Trim()}");

    /// <summary>True when <paramref name="statement"/> is a valid signature by the key in <paramref name="publicKey"/>.</summary>
    public static bool Verify(string publicKey, string statement, string make, string model, string serialNumber)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(statement);
        byte[] signature;
        try
        {
            signature = Base64UrlDecode(statement);
        }
        catch (FormatException)
        {
            return false;
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false;
        }

        return key.VerifyData(Payload(make, model, serialNumber), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Checks that a manufacturer key is a usable P-256 public key before it is registered.</summary>
    public static bool IsValidPublicKey(string publicKey)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
            return key.KeySize == 256;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false;
        }
    }

    private static byte[] Base64UrlDecode(string value)
    {
        var s = value.Trim().Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        return Convert.FromBase64String(s);
    }
}
