using Microsoft.Extensions.Options;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>Development-only sample data: the emulator's demo manufacturer and its certified model.</summary>
public sealed class DemoDataOptions
{
    public const string Section = "DemoData";

    public bool Enabled { get; set; }

    public string Make { get; set; } = "Contoso";

    public string CertifiedModel { get; set; } = "RoomConsole 10";

    /// <summary>Base64 SubjectPublicKeyInfo of the demo manufacturer key (its private half is in the emulator's Development settings).</summary>
    public string? ManufacturerPublicKey { get; set; }
}

internal static partial class DemoData
{
    /// <summary>Seeds the demo catalog when enabled; refuses outside Development so the demo key never certifies a real portal.</summary>
    public static async Task SeedDemoDataAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DemoDataOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        if (!app.Environment.IsDevelopment())
        {
            LogRefused(app.Logger);
            return;
        }

        var catalog = app.Services.GetRequiredService<DeviceCatalogService>();
        await catalog.AddCertifiedModelAsync(options.Make, options.CertifiedModel);
        if (!string.IsNullOrEmpty(options.ManufacturerPublicKey))
        {
            await catalog.AddManufacturerKeyAsync(options.Make, "demo-manufacturer", options.ManufacturerPublicKey);
        }

        LogSeeded(app.Logger, options.Make, options.CertifiedModel);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DemoData:Enabled is ignored outside the Development environment: the demo manufacturer key must never certify consoles on a real portal")]
    private static partial void LogRefused(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data ready: certified model {Make} {Model} with the demo manufacturer key")]
    private static partial void LogSeeded(ILogger logger, string make, string model);
}
