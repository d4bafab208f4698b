using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Api.V1;

/// <summary>
/// A local user to add: <c>role</c> is RoomsProManager, SiteLead or Helpdesk; room groups for the latter two; <c>email</c>
/// is where email notifications go. The user gets a generated password, in the answer only, to change at first sign-in.
/// </summary>
public sealed record CreateUserRequest(
    string UserName, string Role, string? DisplayName = null, IReadOnlyList<Guid>? RoomGroupIds = null, string? Email = null)
{
    /// <summary>Without the email address.</summary>
    public override string ToString() => $"CreateUserRequest {{ UserName = {UserName}, Role = {Role}, Email = {(Email is null ? "(none)" : "***")} }}";
}

/// <summary>A user's email address for notifications; null or empty removes it.</summary>
public sealed record ChangeUserEmailRequest(string? Email)
{
    /// <summary>Without the email address.</summary>
    public override string ToString() => $"ChangeUserEmailRequest {{ Email = {(Email is null ? "(none)" : "***")} }}";
}

/// <summary>A user's new role and room groups (room groups for Site Lead and Helpdesk only).</summary>
public sealed record ChangeUserRoleRequest(string Role, IReadOnlyList<Guid>? RoomGroupIds = null);

/// <summary>The new user and the one-time password to hand over, in this answer only.</summary>
public sealed record CreatedUserResponse(UserSummary User, string Password)
{
    public override string ToString() => $"CreatedUserResponse {{ User = {User.UserName}, Password = *** }}";
}

/// <summary>
/// <c>/api/v1/users</c>: Settings &gt; Users for scripts (Rooms Pro Manager; local sign-in only: with Entra ID, people and
/// their app roles are managed in Entra ID). Every change goes through <see cref="UserAdministration"/>, as the page's, so
/// the same rules and audit entries apply in the same transaction; it also refuses any API key that would make a Rooms
/// Pro Manager (see there why). Password resets are left to the page: over the API a key could take over a person's account.
/// </summary>
internal static class UsersApi
{
    public static void MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("/", async (HttpContext http, CancellationToken ct) =>
                Administration(http) is { } admin ? TypedResults.Ok(await admin.ListAsync(ct)) : External())
            .WithSummary("List users")
            .WithDescription("Every local user with role, room groups and status (disabled, locked out, must change password).")
            .Produces<IReadOnlyList<UserSummary>>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        users.MapPost("/", async (HttpContext http) =>
            {
                if (Administration(http) is not { } admin)
                {
                    return External();
                }

                var (body, problem) = await AutomationApi.ReadAsync<CreateUserRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                if (await CheckRoleAsync(admin, body!.Role, body.RoomGroupIds, http.RequestAborted) is { } badRole)
                {
                    return badRole;
                }

                var (password, error, detail) = await admin.CreateAsync(
                    new NewPortalUser(body.UserName, body.DisplayName, body.Role, body.RoomGroupIds ?? [], body.Email), http.Actor(), ct: http.RequestAborted);
                if (error is { } refused)
                {
                    return Refused(refused, detail);
                }

                var created = await admin.FindByUserNameAsync(body.UserName, http.RequestAborted);
                return TypedResults.Created($"{AutomationApi.Root}/users/{created!.Id}", new CreatedUserResponse(created, password!));
            })
            .WithSummary("Add a local user")
            .WithDescription("Returns a generated password once; the user changes it at first sign-in. email (optional) is where email notifications go (400 invalid_request on field email when it is not one address). A key cannot add a Rooms Pro Manager (403 key_cannot_make_manager). Audited as Users.Created.")
            .Accepts<CreateUserRequest>("application/json")
            .Produces<CreatedUserResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        users.MapPut("/{id}/role", async (string id, HttpContext http) =>
            {
                if (Administration(http) is not { } admin)
                {
                    return External();
                }

                var (body, problem) = await AutomationApi.ReadAsync<ChangeUserRoleRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                if (await CheckRoleAsync(admin, body!.Role, body.RoomGroupIds, http.RequestAborted) is { } badRole)
                {
                    return badRole;
                }

                var error = await admin.AssignAsync(id, body.Role, body.RoomGroupIds ?? [], http.Actor(), http.RequestAborted);
                return error is { } refused ? Refused(refused, null) : await CurrentAsync(admin, id, http.RequestAborted);
            })
            .WithSummary("Change a user's role and room groups")
            .WithDescription("Replaces both; the user's sign-ins end so the next one carries the new role. A key cannot make anyone a Rooms Pro Manager. Audited as Users.RoleChanged (before -> after).")
            .Accepts<ChangeUserRoleRequest>("application/json")
            .Produces<UserSummary>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        users.MapPut("/{id}/email", async (string id, HttpContext http) =>
            {
                if (Administration(http) is not { } admin)
                {
                    return External();
                }

                var (body, problem) = await AutomationApi.ReadAsync<ChangeUserEmailRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var (error, detail) = await admin.SetEmailAsync(id, body!.Email, http.Actor(), http.RequestAborted);
                return error is { } refused ? Refused(refused, detail) : await CurrentAsync(admin, id, http.RequestAborted);
            })
            .WithSummary("Set or remove a user's email address")
            .WithDescription("Where email notifications go (Rooms Pro Managers, and Site Leads and Helpdesk of the event's room group). null or \"\" removes it. Sign-ins go on. Audited as Users.EmailChanged (who and whose address, never the address).")
            .Accepts<ChangeUserEmailRequest>("application/json")
            .Produces<UserSummary>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        users.MapPost("/{id}/disable", (string id, HttpContext http) => SetDisabledAsync(id, true, http))
            .WithSummary("Disable a user")
            .WithDescription("Sign-in is refused and signed-in sessions end. The last active Rooms Pro Manager cannot be disabled. Audited as Users.Disabled.")
            .Produces<UserSummary>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        users.MapPost("/{id}/enable", (string id, HttpContext http) => SetDisabledAsync(id, false, http))
            .WithSummary("Enable a user")
            .WithDescription("The user may sign in again. A key cannot enable a Rooms Pro Manager. Audited as Users.Enabled.")
            .Produces<UserSummary>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ManagePolicy);
    }

    // Registered in local sign-in mode only.
    private static UserAdministration? Administration(HttpContext http) => http.RequestServices.GetService<UserAdministration>();

    private static IResult External() => AutomationApi.Problem(StatusCodes.Status409Conflict, "users_external",
        "People sign in with Microsoft Entra ID here.", "Assign the app roles in Entra ID (Enterprise applications > Users and groups).");

    private static async Task<IResult> SetDisabledAsync(string id, bool disabled, HttpContext http)
    {
        if (Administration(http) is not { } admin)
        {
            return External();
        }

        var error = await admin.SetDisabledAsync(id, disabled, http.Actor(), http.RequestAborted);
        return error is { } refused ? Refused(refused, null) : await CurrentAsync(admin, id, http.RequestAborted);
    }

    private static async Task<IResult> CurrentAsync(UserAdministration admin, string id, CancellationToken ct) =>
        await admin.GetAsync(id, ct) is { } user ? TypedResults.Ok(user) : AutomationApi.NotFound("user");

    /// <summary>The role is one of the portal's and every room group exists, before anything is written (Core would drop unknown groups).</summary>
    private static async Task<IResult?> CheckRoleAsync(UserAdministration admin, string role, IReadOnlyList<Guid>? roomGroupIds, CancellationToken ct)
    {
        if (!PortalRoles.All.Contains(role))
        {
            return AutomationApi.Invalid("role", $"role is one of {string.Join(", ", PortalRoles.All)}.");
        }

        var groups = roomGroupIds ?? [];
        if (!PortalRoles.IsScopedToRoomGroups(role) && groups.Count > 0)
        {
            return AutomationApi.Invalid("roomGroupIds", "A Rooms Pro Manager covers every room group: leave roomGroupIds out.");
        }

        var known = (await admin.ListRoomGroupsAsync(ct)).Select(g => g.Id).ToHashSet();
        return groups.All(known.Contains) ? null : AutomationApi.Invalid("roomGroupIds", "A room group does not exist: list them with GET /api/v1/room-groups.");
    }

    private static IResult Refused(UserChangeError error, string? detail) => error switch
    {
        UserChangeError.NotFound => AutomationApi.NotFound("user"),
        UserChangeError.UserNameTaken => AutomationApi.Problem(StatusCodes.Status409Conflict, "duplicate_name", "A user has this user name.", "Pick another userName."),
        UserChangeError.InvalidUserName => AutomationApi.Invalid("userName", $"That user name cannot be used. {detail}".TrimEnd()),
        UserChangeError.InvalidDisplayName => AutomationApi.Invalid("displayName", detail ?? "That display name cannot be used."),
        UserChangeError.InvalidEmail => AutomationApi.Invalid("email", detail ?? UserEmail.Expected),
        UserChangeError.UnknownRole => AutomationApi.Invalid("role", $"role is one of {string.Join(", ", PortalRoles.All)}."),
        UserChangeError.WouldRemoveLastManager => AutomationApi.Problem(StatusCodes.Status409Conflict, "last_manager",
            "The portal needs at least one active Rooms Pro Manager.", "Add or enable another Rooms Pro Manager first."),
        UserChangeError.KeyCannotMakeManager => AutomationApi.Problem(StatusCodes.Status403Forbidden, "key_cannot_make_manager",
            "An API key cannot make a Rooms Pro Manager.", "A Rooms Pro Manager can make API keys, so only a person makes one: use Settings > Users."),
        _ => AutomationApi.Invalid("password", $"The password cannot be used. {detail}".TrimEnd()),
    };
}
