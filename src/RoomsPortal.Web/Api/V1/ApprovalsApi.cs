using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;

namespace RoomsPortal.Web.Api.V1;

/// <summary>A rejection: one of the fixed reasons, and a note (required for <c>Other</c>).</summary>
public sealed record RejectRequest(RejectReason Reason, string? Note = null);

public sealed record DecisionResponse(Guid RequestId, ApprovalStatus Status, Guid? DeviceId);

/// <summary><c>/api/v1/approval-requests</c>: list and get (every role), approve and reject (Rooms Pro Manager, Site Lead); first decision wins.</summary>
internal static class ApprovalsApi
{
    public static void MapApprovalsApi(this RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/approval-requests").WithTags("Approvals");
        requests.MapGet("/", async (HttpContext http, ApprovalService service, ApprovalStatus? status, Guid? roomGroupId, int? page, int? pageSize) =>
            {
                if (AutomationApi.CheckPage(page, pageSize) is { } badPage)
                {
                    return badPage;
                }

                var result = await service.ListAsync(new ApprovalQuery(status, roomGroupId, Page: page ?? 1, PageSize: pageSize ?? 50), http.Scope(), http.RequestAborted);
                return TypedResults.Ok(AutomationApi.Page(result, r => r));
            })
            .WithSummary("List approval requests")
            .WithDescription("status=Pending for the queue; roomGroupId for one site. Each request names the console (make, model, serial), the account, the requested and expiry dates.")
            .Produces<PageResponse<ApprovalRequestView>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        requests.MapGet("/{id:guid}", async (Guid id, HttpContext http, ApprovalService service) =>
                await service.GetAsync(id, http.Scope(), http.RequestAborted) is { } request ? TypedResults.Ok(request) : AutomationApi.NotFound("approval request"))
            .WithSummary("Get an approval request")
            .WithDescription("The console (make, model, serial), the account, status and dates. 404 alike for an unknown request and one outside the key's room groups.")
            .Produces<ApprovalRequestView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        requests.MapPost("/{id:guid}/approve", async (Guid id, HttpContext http, ApprovalService service) =>
                Answer(await service.ApproveAsync(id, http.Actor(), http.Scope(), http.RequestAborted)))
            .WithSummary("Approve a request")
            .WithDescription("The waiting console hears it at once. 409 already_decided when another admin (or key) decided first.")
            .Produces<DecisionResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        requests.MapPost("/{id:guid}/reject", async (Guid id, HttpContext http, ApprovalService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<RejectRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                return Answer(await service.RejectAsync(id, body!.Reason, body.Note, http.Actor(), http.Scope(), http.RequestAborted));
            })
            .WithSummary("Reject a request")
            .WithDescription("With a reason (UnrecognizedDevice, WrongRoom, DuplicateRequest, SecurityConcern, Other) and a note, required for Other.")
            .Accepts<RejectRequest>("application/json")
            .Produces<DecisionResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);
    }

    private static IResult Answer(Result<DecisionOutcome, DecisionError> result) => result.Succeeded
        ? TypedResults.Ok(new DecisionResponse(result.Value!.RequestId, result.Value.Status, result.Value.DeviceId))
        : result.Error switch
        {
            DecisionError.NotFound => AutomationApi.NotFound("approval request"),
            DecisionError.AlreadyDecided => AutomationApi.Problem(StatusCodes.Status409Conflict, "already_decided", "The request was already decided.", "Another admin decided first; list the request to see the decision."),
            DecisionError.Expired => AutomationApi.Problem(StatusCodes.Status409Conflict, "expired", "The request expired before the decision.", "The console must redeem a new code."),
            DecisionError.AccountDisabled => AutomationApi.Problem(StatusCodes.Status409Conflict, "account_disabled", "The resource account is disabled.", "Enable the account first, or reject."),
            DecisionError.InvalidNote => AutomationApi.Invalid("note", "The note holds invisible formatting or control characters: type it again without them."),
            _ => AutomationApi.Invalid("reason", "Pick one of the reasons; Other needs a note."),
        };
}
