using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Web.Api.Console;

namespace RoomsPortal.Web.Api.V1;

/// <summary>The answer to an import: the same counts and row report as the page.</summary>
public sealed record ImportResponse(int Created, IReadOnlyList<string> CreatedRoomGroups, IReadOnlyList<CsvRowError> Errors);

/// <summary>Accounts to move into a room group (<c>roomGroupId</c>), or out of every group (<c>null</c>).</summary>
public sealed record AssignRoomGroupRequest(IReadOnlyList<Guid> AccountIds, Guid? RoomGroupId);

/// <summary>How many accounts moved (those already in the group stay as they are), and the group's name.</summary>
public sealed record AssignRoomGroupResponse(int Moved, string? RoomGroupName);

/// <summary>
/// <c>/api/v1/resource-accounts</c>: list and get (every role, its room groups), import a CSV, enable and disable
/// (Rooms Pro Manager, Site Lead), assign a room group (Rooms Pro Manager, as the page shows that button to them only).
/// </summary>
internal static class ResourceAccountsApi
{
    public static void MapResourceAccountsApi(this RouteGroupBuilder api)
    {
        var accounts = api.MapGroup("/resource-accounts").WithTags("Resource accounts");
        accounts.MapGet("/", async (HttpContext http, ResourceAccountService service, string? search, Guid? roomGroupId, int? page, int? pageSize) =>
            {
                if (AutomationApi.CheckPage(page, pageSize) is { } badPage)
                {
                    return badPage;
                }

                var result = await service.ListAsync(new ResourceAccountQuery(search, roomGroupId, page ?? 1, pageSize ?? 50), http.Scope(), http.RequestAborted);
                return TypedResults.Ok(AutomationApi.Page(result, a => a));
            })
            .WithSummary("List resource accounts")
            .WithDescription("Paged (page from 1, pageSize up to 200, total in the answer), filtered by a search over UPN and display name and by room group, as the grid.")
            .Produces<PageResponse<ResourceAccountView>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        accounts.MapGet("/{id:guid}", async (Guid id, HttpContext http, ResourceAccountService service) =>
                await service.GetAsync(id, http.Scope(), http.RequestAborted) is { } account ? TypedResults.Ok(account) : AutomationApi.NotFound("resource account"))
            .WithSummary("Get a resource account")
            .WithDescription("Its room group, readiness and provisioning status.")
            .Produces<ResourceAccountView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        accounts.MapPost("/{id:guid}/enable", (Guid id, HttpContext http, ResourceAccountService service) => SetEnabledAsync(id, true, http, service))
            .WithSummary("Enable a resource account")
            .WithDescription("As the account page's Enable button; audited as ResourceAccounts.Updated.")
            .Produces<ResourceAccountView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        accounts.MapPost("/{id:guid}/disable", (Guid id, HttpContext http, ResourceAccountService service) => SetEnabledAsync(id, false, http, service))
            .WithSummary("Disable a resource account")
            .WithDescription("Revokes the account's unused codes; it gets no new code until it is enabled again. Audited as ResourceAccounts.Updated.")
            .Produces<ResourceAccountView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        accounts.MapPost("/assign-room-group", async (HttpContext http, RoomGroupService groups) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<AssignRoomGroupRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var assigned = await groups.AssignAccountsAsync(body!.AccountIds, body.RoomGroupId, http.Actor(), http.Scope(), http.RequestAborted);
                return assigned.Succeeded
                    ? TypedResults.Ok(new AssignRoomGroupResponse(assigned.Value!.Moved, assigned.Value.RoomGroupName))
                    : assigned.Error switch
                    {
                        RoomGroupError.TooManyAccounts => AutomationApi.Invalid("accountIds", $"Assign at most {RoomGroupService.MaxAssignment} accounts at once."),
                        RoomGroupError.AccountNotFound => AutomationApi.Problem(StatusCodes.Status422UnprocessableEntity, "account_not_found",
                            "An account does not exist.", "List the accounts (GET /api/v1/resource-accounts) and send their ids."),
                        _ => AutomationApi.Problem(StatusCodes.Status422UnprocessableEntity, "room_group_not_found",
                            "The room group does not exist.", "List the room groups (GET /api/v1/room-groups), or send null to take the accounts out of their group."),
                    };
            })
            .WithSummary("Move resource accounts into a room group")
            .WithDescription("The Assign room group button in bulk: all accounts or none; their consoles and pending requests move with them. "
                + "roomGroupId null takes them out of every group. One audit entry (RoomGroups.AccountsAssigned) names each moved account.")
            .Accepts<AssignRoomGroupRequest>("application/json")
            .Produces<AssignRoomGroupResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        accounts.MapPost("/import", async (HttpContext http, ResourceAccountService service, bool? createMissingRoomGroups) =>
            {
                if (http.Request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
                {
                    return AutomationApi.Invalid("body", "Send the CSV file as the body with Content-Type: text/csv (columns upn, display name, room group).");
                }

                if (await ConsoleRequestReader.ReadCappedAsync(http.Request, CsvLimits.MaxBytes, http.RequestAborted) is not { } bytes)
                {
                    return AutomationApi.Invalid("body", $"The file is larger than {CsvLimits.MaxBytes} bytes: split it.");
                }

                var csv = System.Text.Encoding.UTF8.GetString(bytes.Span);

                var createGroups = createMissingRoomGroups == true && http.Scope().IsUnrestricted;
                var result = await service.ImportAsync(csv, http.Actor(), http.Scope(), new ImportOptions(createGroups), http.RequestAborted);
                var response = new ImportResponse(result.Created, result.CreatedRoomGroups, result.Errors);
                return result.Succeeded ? TypedResults.Ok(response) : TypedResults.UnprocessableEntity(response);
            })
            .WithSummary("Import resource accounts from a CSV file")
            .WithDescription("The same rules and row report as the Import button: all rows or none. createMissingRoomGroups=true creates the groups the file names (Rooms Pro Manager keys only). 422 lists every bad row.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // Declared here rather than with Accepts(), which would make routing refuse other content types before
                // authorization and without the clear message above.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The CSV file: a header row with upn, display name and room group.",
                    Content = new Dictionary<string, OpenApiMediaType> { ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                };
                return Task.CompletedTask;
            })
            .Produces<ImportResponse>()
            .Produces<ImportResponse>(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);
    }

    private static async Task<IResult> SetEnabledAsync(Guid id, bool enabled, HttpContext http, ResourceAccountService service)
    {
        var changed = await service.SetEnabledAsync(id, enabled, http.Actor(), http.Scope(), http.RequestAborted);
        return changed.Succeeded ? TypedResults.Ok(changed.Value) : AutomationApi.NotFound("resource account");
    }
}
