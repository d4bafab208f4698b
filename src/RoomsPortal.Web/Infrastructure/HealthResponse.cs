using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>
/// Writes a health report as JSON naming each check and, when it is not healthy, why, so an operator sees which part
/// is down. <c>Degraded</c> answers 200: the node still serves (for example without Redis); <c>Unhealthy</c> answers 503.
/// </summary>
internal static class HealthResponse
{
    private const string SeeTheLog = "Check the portal's log for the cause.";

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Status == HealthStatus.Healthy ? null : Describe(e.Value),
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }

    // The portal's checks describe themselves in fixed words. A check that throws gets the exception's text as its
    // description, which can carry connection details: the log has it, the endpoint does not.
    private static string Describe(HealthReportEntry entry) =>
        entry.Description is { Length: > 0 } description && description != entry.Exception?.Message
            ? $"{description} {SeeTheLog}"
            : SeeTheLog;
}
