using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Testing;

/// <summary>A test manufacturer with its own key, registered in a portal's catalog, that builds consoles.</summary>
public sealed class TestManufacturer : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestManufacturer(string make = "Contoso", string model = "RoomConsole 10")
    {
        Make = make;
        Model = model;
    }

    public string Make { get; }

    public string Model { get; }

    /// <summary>The manufacturer's private key, for consoles that sign their statement themselves (the raw protocol tests).</summary>
    public ECDsa SigningKey => _key;

    /// <summary>The public key as a manufacturer hands it over (PEM).</summary>
    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Adds the model to the certified catalog and registers the key (through the catalog service the Settings page uses).</summary>
    public async Task RegisterAsync(IServiceProvider portal, CancellationToken ct = default)
    {
        var catalog = portal.GetRequiredService<DeviceCatalogService>();
        var model = await catalog.AddCertifiedModelAsync(Make, Model, PortalProvisioning.Admin, ct);
        if (!model.Succeeded && model.Error != CatalogError.DuplicateModel)
        {
            throw new InvalidOperationException($"Certifying {Make} {Model} failed: {model.Error}");
        }

        var key = await catalog.AddManufacturerKeyAsync(Make, "test-key", PublicKeyPem, PortalProvisioning.Admin, ct);
        if (!key.Succeeded)
        {
            throw new InvalidOperationException($"Registering the key of {Make} failed: {key.Error}");
        }
    }

    /// <summary>A certified console with its HDMI ingest module connected.</summary>
    public ConsoleDevice Console(string serial) =>
        new(Make, Model, serial, "1.0.0", DeviceStatementSigner.Sign(_key, Make, Model, serial));

    /// <summary>The same console without its ingest module: no verification information.</summary>
    public ConsoleDevice ConsoleWithoutIngestModule(string serial) => new(Make, Model, serial, "1.0.0", null);

    /// <summary>A model the catalog does not list, signed all the same.</summary>
    public ConsoleDevice UncertifiedConsole(string serial) =>
        new(Make, "Uncertified 1", serial, "1.0.0", DeviceStatementSigner.Sign(_key, Make, "Uncertified 1", serial));

    public void Dispose() => _key.Dispose();
}
