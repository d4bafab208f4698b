using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>Writes a health report as JSON naming each check, so an operator sees which part is down.</summary>
internal static class HealthResponse
{
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
                // Exception text can carry connection details; the log has it, the endpoint does not.
                description = e.Value.Status == HealthStatus.Healthy ? null : "Check the portal's log for the cause.",
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
