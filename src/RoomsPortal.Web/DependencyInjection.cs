using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using RoomsPortal.Core;
using RoomsPortal.Core.Otps;
using RoomsPortal.Web.Api;
using RoomsPortal.Web.Api.Console;
using RoomsPortal.Web.Components;
using RoomsPortal.Web.Infrastructure;
using RoomsPortal.Web.Infrastructure.AzureSignalR;
using RoomsPortal.Web.Infrastructure.Redis;
using RoomsPortal.Web.Infrastructure.Telemetry;
using RoomsPortal.Web.Notifications;
using RoomsPortal.Web.Security;
using Serilog;

namespace RoomsPortal.Web;

public static class DependencyInjection
{
    public const string ReadyTag = "ready";

    /// <summary>Everything the portal's web host needs: options, logging, database, health, Blazor and MudBlazor.</summary>
    public static IHostApplicationBuilder AddWebServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoDataOptions>().BindConfiguration(DemoDataOptions.Section);
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new DataDirectory(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.ResolveDataDirectory(builder.Environment.ContentRootPath)));

        // Configured when first resolved so settings added by hosts (tests, environment) are all in. Secrets never go
        // through logging: the bootstrap password is printed straight to standard output (BootstrapPasswordConsole).
        services.AddSingleton(new BootstrapPasswordConsole(Console.Out));
        services.AddSerilog((sp, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(sp)
            .Enrich.FromLogContext()
            .WriteTo.File(
                Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "logs", "roomsportal-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture),
            preserveStaticLogger: true);
        CachedLoggerFactory.Wrap(services);
        // The static logger stays the bootstrap one (tests host several portals in one process); request lines go
        // through this registered logger instead, so they reach the configured sinks and the file.
        services.AddRequestLogging();

        // Keys for Data Protection (sign-in cookies, secrets at rest) live in the data folder, outside the database.
        services.AddDataProtection().SetApplicationName("RoomsPortal");
        services.AddOptions<KeyManagementOptions>().Configure<DataDirectory>((keys, data) =>
            keys.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(Path.Combine(data.Path, "keys")), NullLoggerFactory.Instance));

        services.AddPortalDatabase();
        services.AddSingleton<IOtpKeyProvider, FileOtpKeyProvider>();
        services.AddRedisWhenConfigured(builder.Configuration);
        services.AddCoreServices();
        services.AddHostedService<ProvisioningMaintenance>();
        services.AddNotifications();
        services.AddOptions<KeysOptions>().BindConfiguration(KeysOptions.Section);
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag]);

        services.AddTrustedProxies();
        services.AddTransportSecurity();
        builder.AddPortalAuthentication();
        services.AddCascadingAuthenticationState();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "RoomsPortal.Antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = TransportSecurity.CookiePolicy;
        });
        services.AddConsoleApi();
        // Azure SignalR Service carries the console hub's connections when its connection string is set; Blazor stays.
        services.AddConsoleHubAzureSignalRWhenConfigured(builder.Configuration);
        builder.AddPortalTelemetry();
        services.AddApiErrors();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddScoped<PortalCaller>();
        services.AddScoped<Components.Shared.DecisionSubmitter>();
        services.AddScoped<Components.Pages.ResourceAccounts.OtpWizardSelection>();
        return builder;
    }
}
