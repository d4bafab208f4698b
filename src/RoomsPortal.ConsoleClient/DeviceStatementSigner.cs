using System.Security.Cryptography;
using System.Text;

namespace RoomsPortal.ConsoleClient;

/// <summary>
/// Makes the verification information a manufacturer puts on a console's HDMI ingest module: an ECDSA P-256 /
/// SHA-256 signature (IEEE P1363, base64url without padding) over
/// <c>RoomsPortal-DeviceStatement-v1\n{make}\n{model}\n{serialNumber}</c>. The portal checks it with the
/// manufacturer's registered public key.
/// </summary>
public static class DeviceStatementSigner
{
    /// <summary>The statement format's version line.</summary>
    public const string Version = "RoomsPortal-DeviceStatement-v1";

    /// <summary>Signs the statement for one console with the manufacturer's private key.</summary>
    public static string Sign(ECDsa manufacturerKey, string make, string model, string serialNumber)
    {
        ArgumentNullException.ThrowIfNull(manufacturerKey);
        ArgumentNullException.ThrowIfNull(make);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(serialNumber);
        var payload = Encoding.UTF8.GetBytes($"{Version}\n{make.Trim()}\n{model.Trim()}\n{serialNumber.Trim()}");
        var signature = manufacturerKey.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
