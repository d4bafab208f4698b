using System.Globalization;
using System.Text;
using RoomsPortal.Core.Audit;

namespace RoomsPortal.Web.Api.V1;

/// <summary>One audit log line, as the Audit page shows it.</summary>
public sealed record AuditEntryResponse(
    Guid Id,
    DateTimeOffset OccurredAt,
    AuditCategory Category,
    string Operation,
    AuditResult Result,
    string ActorId,
    string ActorName,
    string Target,
    string? Details);

/// <summary><c>/api/v1/audit-log</c>: the Audit page for scripts (Rooms Pro Manager): query with its filters, and the CSV export.</summary>
internal static class AuditLogApi
{
    public static void MapAuditLogApi(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit-log").WithTags("Audit log");
        audit.MapGet("/", async (AuditService service, DateTimeOffset? from, DateTimeOffset? to, AuditCategory? category, string? actor, string? target,
                int? page, int? pageSize, CancellationToken ct) =>
            {
                if (AutomationApi.CheckPage(page, pageSize) is { } badPage)
                {
                    return badPage;
                }

                var result = await service.QueryAsync(new AuditQuery(from, to, category, Target: target, Page: page ?? 1, PageSize: pageSize ?? 50, Actor: actor), ct);
                return TypedResults.Ok(AutomationApi.Page(result, e => new AuditEntryResponse(
                    e.Id, e.OccurredAt, e.Category, e.Operation, e.Result, e.ActorId, e.ActorName, e.Target, e.Details)));
            })
            .WithSummary("Query the audit log")
            .WithDescription("Newest first. from (inclusive) and to (exclusive) are ISO 8601 times; category is one of the audit categories; "
                + "actor matches part of the actor's name or id (an API key shows as 'API key <name>'); target matches part of the target.")
            .Produces<PageResponse<AuditEntryResponse>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        audit.MapGet("/export", (HttpContext http, AuditService service, DateTimeOffset? from, DateTimeOffset? to) =>
            {
                if (from is not { } start || to is not { } end || start >= end)
                {
                    return AutomationApi.Invalid("from", "Give from and to (ISO 8601 times, from before to): the export covers from (inclusive) to to (exclusive).");
                }

                var name = string.Create(CultureInfo.InvariantCulture, $"audit-{start.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{end.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.csv");
                // Written to the response row by row as the database returns them: an export of any size never sits in memory.
                return TypedResults.Stream(
                    async body =>
                    {
                        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
                        await service.ExportCsvAsync(start, end, writer, http.RequestAborted);
                    },
                    "text/csv; charset=utf-8",
                    name);
            })
            .WithSummary("Export the audit log as CSV")
            .WithDescription("The Audit page's Export CSV for a time range, oldest first, streamed. Cells that a spreadsheet would run as a formula "
                + "(starting with = + - @, tab or CR) get a leading apostrophe.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ManagePolicy);
    }
}
