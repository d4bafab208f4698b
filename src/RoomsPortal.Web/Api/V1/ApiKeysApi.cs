using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Api.V1;

/// <summary>A key to make: <c>role</c> is RoomsProManager, SiteLead or Helpdesk; room groups for the latter two.</summary>
public sealed record CreateApiKeyRequest(string Name, string Role, IReadOnlyList<Guid>? RoomGroupIds = null, int? ExpiresInDays = null, IReadOnlyList<string>? AllowedNetworks = null);

/// <summary>The new key, in this answer only.</summary>
public sealed record CreatedApiKeyResponse(ApiKeyView Key, string Secret)
{
    public override string ToString() => $"CreatedApiKeyResponse {{ Key = {Key.Prefix}, Secret = *** }}";
}

/// <summary><c>/api/v1/api-keys</c>: list, create and revoke keys (Rooms Pro Manager).</summary>
internal static class ApiKeysApi
{
    public static void MapApiKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys");
        keys.MapGet("/", async (ApiKeyService service, HttpContext http) => TypedResults.Ok(await service.ListAsync(http.RequestAborted)))
            .WithSummary("List API keys")
            .WithDescription("Every key with its prefix, role, room groups, expiry, last use and whether it was revoked; never the key itself.")
            .Produces<IReadOnlyList<ApiKeyView>>()
            .RequireAuthorization(AutomationApi.ManagePolicy);

        keys.MapPost("/", async (HttpContext http, ApiKeyService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<CreateApiKeyRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var created = await ApiKeyRequests.CreateAsync(service, body!.Name, body.Role, body.RoomGroupIds, body.ExpiresInDays, body.AllowedNetworks, http.User, http.RequestAborted);
                return created.Succeeded
                    ? TypedResults.Created($"{AutomationApi.Root}/api-keys/{created.Value.View!.Id}", new CreatedApiKeyResponse(created.Value.View, created.Value.Key!))
                    : AutomationApi.Invalid(created.Field!, created.Message!);
            })
            .WithSummary("Create an API key")
            .WithDescription("Returns the key once. Default expiry 90 days, at most 365; allowedNetworks limits the source addresses (CIDR).")
            .Accepts<CreateApiKeyRequest>("application/json")
            .Produces<CreatedApiKeyResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        keys.MapDelete("/{id:guid}", async (Guid id, HttpContext http, ApiKeyService service) =>
            {
                var revoked = await service.RevokeAsync(id, http.Actor(), http.RequestAborted);
                return revoked.Succeeded ? TypedResults.NoContent() : AutomationApi.NotFound("API key");
            })
            .WithSummary("Revoke an API key")
            .WithDescription("Its next call is refused with 401 api_key_revoked.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ManagePolicy);
    }
}
