using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Web;
using RoomsPortal.Web.Api;
using RoomsPortal.Web.Api.Account;
using RoomsPortal.Web.Api.Console;
using RoomsPortal.Web.Api.V1;
using RoomsPortal.Web.Components;
using RoomsPortal.Web.Hubs;
using RoomsPortal.Web.Infrastructure;
using RoomsPortal.Web.Infrastructure.AzureSignalR;
using RoomsPortal.Web.Infrastructure.Telemetry;
using RoomsPortal.Web.Security;
using Serilog;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args, Console.Out);
}

// The bootstrap logger reports failures that happen before the configured logger exists.
Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateLogger();

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddWebServices();

    var app = builder.Build();

    // First: everything after it (headers, HSTS, redirects, throttles, sign-in, audit) sees the client's address and scheme.
    app.UseForwardedHeaders();
    app.UseSecurityHeaders();
    if (!app.Environment.IsDevelopment())
    {
        // API errors become problem documents (ApiExceptionHandler); pages get the error page.
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseTransportSecurity();
    }

    // Only empty error responses get a page (not-found, or the error page); API problem details have a body and pass through.
    app.UseStatusPages();
    app.UseSerilogRequestLogging();
    app.UseApiErrors();
    app.UseConsoleHubAzureSignalRWhenConfigured(app.Configuration);
    app.UseAuthentication();
    app.UseMustChangePassword();
    app.UseAuthorization();
    app.UseRateLimiter();
    app.UseAntiforgery();

    // Anonymous on purpose: container probes and load balancers call them; they reveal no data.
    app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync })
        .AllowAnonymous();
    app.MapHealthChecks("/health/ready", new HealthCheckOptions
    {
        Predicate = check => check.Tags.Contains(DependencyInjection.ReadyTag),
        ResponseWriter = HealthResponse.WriteAsync,
    }).AllowAnonymous();

    app.MapConsoleApi();
    app.MapHub<ConsoleHub>(ConsoleHubNames.Path);
    app.MapAccountApi();
    app.MapAutomationApi();
    app.MapPortalTelemetry();
    app.MapStaticAssets().AllowAnonymous();
    // The portal's own CSP (SecurityHeaders) already says frame-ancestors 'none'; Blazor's default second header is dropped.
    app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);

    await app.MigrateDatabaseAsync();
    await app.VerifyKeysMatchDatabaseAsync();
    await app.EnsureBootstrapAdministratorAsync();
    await app.SeedDemoDataAsync();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "RoomsPortal failed to start");
    throw;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Exposed so tests can host the portal.</summary>
public partial class Program;
