using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient;

namespace RoomsPortal.ConsoleEmulator;

/// <summary>The kinds of console the emulator can be.</summary>
public enum DemoDeviceKind
{
    /// <summary>A certified console with its HDMI ingest module connected.</summary>
    Certified,

    /// <summary>A model that is not in the certified catalog.</summary>
    UncertifiedModel,

    /// <summary>A certified model whose HDMI ingest module is not connected.</summary>
    MissingIngestModule,
}

/// <summary>Builds the emulated consoles, signing their statements as the demo manufacturer's factory would.</summary>
public sealed class DemoDevices(IOptions<EmulatorOptions> options)
{
    public ConsoleDevice Create(DemoDeviceKind kind, string serialNumber)
    {
        var o = options.Value;
        var model = kind == DemoDeviceKind.UncertifiedModel ? o.UncertifiedModel : o.CertifiedModel;
        string? statement = null;
        if (kind != DemoDeviceKind.MissingIngestModule)
        {
            using var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(Convert.FromBase64String(o.ManufacturerPrivateKey), out _);
            statement = DeviceStatementSigner.Sign(key, o.Make, model, serialNumber);
        }

        return new ConsoleDevice(o.Make, model, serialNumber, "2.1.0-emulator", statement);
    }

    /// <summary>A serial number no other emulated console in this run has.</summary>
    public static string NewSerialNumber() => "EMU-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
}
