using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Web.Api.V1;

public sealed record RoomGroupResponse(Guid Id, string Name);

public sealed record RoomGroupNameRequest(string Name);

/// <summary><c>/api/v1/room-groups</c>: list (every role, its own groups), create, rename, delete (Rooms Pro Manager).</summary>
internal static class RoomGroupsApi
{
    public static void MapRoomGroupsApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/room-groups").WithTags("Room groups");
        groups.MapGet("/", async (HttpContext http, RoomGroupService service) =>
                TypedResults.Ok((await service.ListAsync(http.Scope(), http.RequestAborted)).Select(g => new RoomGroupResponse(g.Id, g.Name)).ToList()))
            .WithSummary("List room groups")
            .WithDescription("The room groups the key's role covers, by name.")
            .Produces<List<RoomGroupResponse>>()
            .RequireAuthorization(AutomationApi.ReadPolicy);

        groups.MapPost("/", async (HttpContext http, RoomGroupService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<RoomGroupNameRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var created = await service.CreateAsync(body!.Name, http.Actor(), http.RequestAborted);
                return created.Succeeded
                    ? TypedResults.Created($"{AutomationApi.Root}/room-groups/{created.Value!.Id}", new RoomGroupResponse(created.Value.Id, created.Value.Name))
                    : Refused(created.Error!.Value, body.Name);
            })
            .WithSummary("Create a room group")
            .WithDescription("Audited as RoomGroups.Created under the key's name.")
            .Accepts<RoomGroupNameRequest>("application/json")
            .Produces<RoomGroupResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        groups.MapPatch("/{id:guid}", async (Guid id, HttpContext http, RoomGroupService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<RoomGroupNameRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var renamed = await service.RenameAsync(id, body!.Name, http.Actor(), http.Scope(), http.RequestAborted);
                return renamed.Succeeded ? TypedResults.Ok(new RoomGroupResponse(renamed.Value!.Id, renamed.Value.Name)) : Refused(renamed.Error!.Value, body.Name);
            })
            .WithSummary("Rename a room group")
            .WithDescription("Audited as RoomGroups.Renamed (old -> new name).")
            .Accepts<RoomGroupNameRequest>("application/json")
            .Produces<RoomGroupResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        groups.MapDelete("/{id:guid}", async (Guid id, HttpContext http, RoomGroupService service) =>
            {
                var deleted = await service.DeleteAsync(id, http.Actor(), http.RequestAborted);
                return deleted.Succeeded ? TypedResults.NoContent() : Refused(deleted.Error!.Value, null);
            })
            .WithSummary("Delete a room group")
            .WithDescription("Refused with 409 has_members while accounts or people are assigned to it.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);
    }

    private static IResult Refused(RoomGroupError error, string? name) => error switch
    {
        RoomGroupError.InvalidName => AutomationApi.Invalid("name", RoomGroupService.CheckName(name) ?? "The room group name is not valid."),
        RoomGroupError.DuplicateName => AutomationApi.Problem(StatusCodes.Status409Conflict, "duplicate_name", "A room group with this name exists.", "Pick another name, or use the existing group."),
        RoomGroupError.HasMembers => AutomationApi.Problem(StatusCodes.Status409Conflict, "has_members", "The room group still has members.", "Move its resource accounts and people to another group first."),
        _ => AutomationApi.NotFound("room group"),
    };
}
