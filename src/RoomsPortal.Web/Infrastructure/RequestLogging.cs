using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Web.Api.Console;
using Serilog.AspNetCore;
using Serilog.Events;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>
/// One request line per request (<c>UseSerilogRequestLogging</c>), written through the portal's configured logger, so
/// it reaches the same sinks as everything else (the rolling file in the data folder included), not the bootstrap
/// logger. Consoles call often (verify, redeem, polls every 5 s, the hub's negotiate), so their successful calls are
/// Debug; what matters about them is one Information line per event from Core (decision, refusal, lockout).
/// </summary>
internal static class RequestLogging
{
    public static IServiceCollection AddRequestLogging(this IServiceCollection services)
    {
        services.AddOptions<RequestLoggingOptions>().Configure<Serilog.ILogger>((options, logger) =>
        {
            options.Logger = logger;
            options.GetLevel = LevelOf;
        });
        return services;
    }

    /// <summary>Errors stay loud everywhere; a console's refused call is a Warning, its successful one Debug.</summary>
    public static LogEventLevel LevelOf(HttpContext http, double elapsedMilliseconds, Exception? exception)
    {
        ArgumentNullException.ThrowIfNull(http);
        var status = http.Response.StatusCode;
        if (exception is not null || status >= StatusCodes.Status500InternalServerError)
        {
            return LogEventLevel.Error;
        }

        if (!IsConsoleTraffic(http.Request.Path))
        {
            return LogEventLevel.Information;
        }

        return status >= StatusCodes.Status400BadRequest ? LogEventLevel.Warning : LogEventLevel.Debug;
    }

    private static bool IsConsoleTraffic(PathString path) =>
        path.StartsWithSegments(ConsoleApi.Root, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(ConsoleHubNames.Path, StringComparison.OrdinalIgnoreCase);
}
