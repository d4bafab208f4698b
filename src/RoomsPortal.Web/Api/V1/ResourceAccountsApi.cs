using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Web.Api.Console;

namespace RoomsPortal.Web.Api.V1;

/// <summary>The answer to an import: the same counts and row report as the page.</summary>
public sealed record ImportResponse(int Created, IReadOnlyList<string> CreatedRoomGroups, IReadOnlyList<CsvRowError> Errors);

/// <summary><c>/api/v1/resource-accounts</c>: list and get (every role, its room groups), import a CSV (Rooms Pro Manager, Site Lead).</summary>
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
            .RequireAuthorization(AutomationApi.ReadPolicy);

        accounts.MapGet("/{id:guid}", async (Guid id, HttpContext http, ResourceAccountService service) =>
                await service.GetAsync(id, http.Scope(), http.RequestAborted) is { } account ? TypedResults.Ok(account) : AutomationApi.NotFound("resource account"))
            .WithSummary("Get a resource account")
            .WithDescription("Its room group, readiness and provisioning status.")
            .Produces<ResourceAccountView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ReadPolicy);

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
}
