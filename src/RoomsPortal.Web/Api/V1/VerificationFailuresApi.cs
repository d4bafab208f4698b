using RoomsPortal.Core.Common;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Web.Api.V1;

/// <summary>What the helpdesk did about a failure.</summary>
public sealed record ResolveFailureRequest(string Note);

/// <summary>
/// <c>/api/v1/verification-failures</c>: the Verification failures page for scripts (every role; failures belong to no
/// room group, so every key sees all of them, as on the page): list, counts per model, resolve with a note.
/// </summary>
internal static class VerificationFailuresApi
{
    public static void MapVerificationFailuresApi(this RouteGroupBuilder api)
    {
        var failures = api.MapGroup("/verification-failures").WithTags("Verification failures");
        failures.MapGet("/", async (VerificationFailureService service, bool? unresolvedOnly, string? search, int? page, int? pageSize, CancellationToken ct) =>
            {
                if (AutomationApi.CheckPage(page, pageSize) is { } badPage)
                {
                    return badPage;
                }

                var result = await service.ListAsync(new VerificationFailureQuery(unresolvedOnly == true, search, page ?? 1, pageSize ?? 50), ct);
                return TypedResults.Ok(AutomationApi.Page(result, f => f));
            })
            .WithSummary("List verification failures")
            .WithDescription("Newest first; unresolvedOnly=true hides resolved ones; search matches make, model or serial. Each failure carries its troubleshooting steps and how often that console failed.")
            .Produces<PageResponse<VerificationFailureView>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ReadPolicy);

        failures.MapGet("/counts-by-model", async (VerificationFailureService service, bool? unresolvedOnly, CancellationToken ct) =>
                TypedResults.Ok(await service.CountsByModelAsync(unresolvedOnly == true, ct)))
            .WithSummary("Count verification failures per make and model")
            .WithDescription("Failures and distinct consoles per make and model, most first; unresolvedOnly=true counts unresolved ones only.")
            .Produces<IReadOnlyList<ModelFailureCount>>()
            .RequireAuthorization(AutomationApi.ReadPolicy);

        failures.MapPost("/{id:guid}/resolve", async (Guid id, HttpContext http, VerificationFailureService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<ResolveFailureRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var resolved = await service.ResolveAsync(id, body!.Note, http.Actor(), http.RequestAborted);
                return resolved.Succeeded
                    ? TypedResults.Ok(resolved.Value)
                    : resolved.Error switch
                    {
                        ResolveFailureError.NotFound => AutomationApi.NotFound("verification failure"),
                        ResolveFailureError.AlreadyResolved => AutomationApi.Problem(StatusCodes.Status409Conflict, "already_resolved",
                            "The failure was already resolved.", "Someone resolved it first, or the console verified since; list it to see the note."),
                        ResolveFailureError.NoteTooLong => AutomationApi.Invalid("note", $"The note has at most {VerificationFailureService.NoteMaxLength} characters."),
                        ResolveFailureError.NoteHasHiddenCharacters => AutomationApi.Invalid("note",
                            TextRules.CheckNote(body.Note, "The note", VerificationFailureService.NoteMaxLength) ?? "The note holds characters that cannot be shown."),
                        _ => AutomationApi.Invalid("note", "Say in the note what was done."),
                    };
            })
            .WithSummary("Resolve a verification failure")
            .WithDescription("With a note of what was done (required, up to 500 characters); audited as Devices.VerificationFailureResolved.")
            .Accepts<ResolveFailureRequest>("application/json")
            .Produces<VerificationFailureView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ReadPolicy);
    }
}
