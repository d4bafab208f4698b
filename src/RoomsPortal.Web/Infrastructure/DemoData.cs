using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>Development-only sample data: the emulator's demo manufacturer and its certified model.</summary>
public sealed class DemoDataOptions
{
    public const string Section = "DemoData";

    public bool Enabled { get; set; }

    public string Make { get; set; } = "Contoso";

    public string CertifiedModel { get; set; } = "RoomConsole 10";

    /// <summary>Also adds sample room groups and resource accounts (random passwords) when the portal has none.</summary>
    public bool SampleAccounts { get; set; }

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
        // Every start seeds again: a model or key that is there already answers Duplicate*, which is fine.
        await catalog.AddCertifiedModelAsync(options.Make, options.CertifiedModel, Actor.System);
        if (!string.IsNullOrEmpty(options.ManufacturerPublicKey))
        {
            await catalog.AddManufacturerKeyAsync(options.Make, "demo-manufacturer", options.ManufacturerPublicKey, Actor.System);
        }

        LogSeeded(app.Logger, options.Make, options.CertifiedModel);
        if (options.SampleAccounts)
        {
            await SeedSampleAccountsAsync(app);
        }
    }

    private static async Task SeedSampleAccountsAsync(WebApplication app)
    {
        var accounts = app.Services.GetRequiredService<ResourceAccountService>();
        if ((await accounts.ListAsync(new ResourceAccountQuery(PageSize: 1), AccessScope.All)).TotalCount > 0)
        {
            return;
        }

        var groups = app.Services.GetRequiredService<RoomGroupService>();
        var csv = new StringBuilder("upn,display name,room group,password\n");
        foreach (var (group, floor) in new[] { ("Building 1", 1), ("Building 4", 4) })
        {
            await groups.CreateAsync(group, Actor.System);
            for (var room = 1; room <= 3; room++)
            {
                // Random passwords: the Generate OTP wizard resets them or takes them from a CSV, as in production.
                var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
                csv.Append(CultureInfo.InvariantCulture, $"room-{floor}.{room:00}@contoso.example,Room {floor}.{room:00},{group},{password}\n");
            }
        }

        var result = await accounts.ImportAsync(csv.ToString(), Actor.System, AccessScope.All);
        LogSampleAccounts(app.Logger, result.Created);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DemoData:Enabled is ignored outside the Development environment: the demo manufacturer key must never certify consoles on a real portal")]
    private static partial void LogRefused(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: {Count} sample resource accounts in two room groups")]
    private static partial void LogSampleAccounts(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data ready: certified model {Make} {Model} with the demo manufacturer key")]
    private static partial void LogSeeded(ILogger logger, string make, string model);
}
