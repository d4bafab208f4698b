using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RoomsPortal.Core.Diagnostics;
using RoomsPortal.Web.Api.V1;

namespace RoomsPortal.Web.Infrastructure.Telemetry;

/// <summary>Where the portal's metrics and traces go (section <c>Telemetry</c>; README "Metrics and traces").</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Telemetry";

    /// <summary>
    /// An OTLP collector's base address (e.g. <c>http://collector:4318</c> for HTTP, <c>http://collector:4317</c> for
    /// gRPC). Metrics and traces are exported there when set; the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> works too.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>HttpProtobuf</c> (default) or <c>Grpc</c>.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.HttpProtobuf;

    /// <summary>Serves the Prometheus scrape endpoint <c>/metrics</c> (for an API key of any role). On by default.</summary>
    public bool Prometheus { get; set; } = true;

    internal Uri? Endpoint => Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && Endpoint is null)
        {
            yield return new ValidationResult(
                $"{Section}:OtlpEndpoint must be the absolute http:// or https:// address of an OTLP collector (e.g. http://collector:4318); remove it to export nothing.",
                [nameof(OtlpEndpoint)]);
        }
    }
}

/// <summary>OpenTelemetry: the portal's meters, ASP.NET Core and runtime metrics, traces of the console path.</summary>
public static class Telemetry
{
    public const string ScrapePath = "/metrics";

    public static IHostApplicationBuilder AddPortalTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitCounter>());

        // Exporters are chosen now, from the configuration as it stands (a bad endpoint adds none, and the options
        // validation above stops the start naming the key).
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = options.Endpoint is not null || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("RoomsPortal"));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(PortalMetrics.MeterName, WebMetrics.MeterName).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
            if (options.Prometheus)
            {
                // No cached answer: the endpoint needs an API key, and a scrape must show what happened before it.
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            }

            if (otlp)
            {
                metrics.AddOtlpExporter(o => Configure(o, options, "v1/metrics"));
            }
        });
        if (otlp)
        {
            // Traces only where someone collects them: the console calls and hub, and the Core spans under them.
            telemetry.WithTracing(tracing => tracing
                .AddSource(PortalMetrics.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                    http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/hubs"))
                .AddOtlpExporter(o => Configure(o, options, "v1/traces")));
        }

        return builder;
    }

    /// <summary>The scrape endpoint, for an API key of any role (as the automation API's read calls).</summary>
    public static void MapPortalTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TelemetryOptions>>().Value.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint(ScrapePath).RequireAuthorization(AutomationApi.ReadPolicy);
        }
    }

    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions options, string signalPath)
    {
        if (options.Endpoint is not { } endpoint)
        {
            return; // OTEL_EXPORTER_OTLP_ENDPOINT and the other standard variables apply.
        }

        exporter.Protocol = options.OtlpProtocol;
        // Set in code, the HTTP exporter posts to the address as given: it needs the signal's path.
        exporter.Endpoint = options.OtlpProtocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/" + signalPath)
            : endpoint;
    }
}
