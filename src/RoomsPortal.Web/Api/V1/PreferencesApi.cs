using RoomsPortal.Core.Preferences;

namespace RoomsPortal.Web.Api.V1;

/// <summary>
/// New preferences. <c>otpValidityHours</c> (1 to 336) and <c>autoApproval</c> are required; the room group overrides
/// (room group id: on or off) and the pre-registered serials, when left out, stay as they are; when given they replace
/// the current ones.
/// </summary>
public sealed record UpdatePreferencesRequest(
    int OtpValidityHours,
    bool AutoApproval,
    IReadOnlyDictionary<Guid, bool>? RoomGroupOverrides = null,
    IReadOnlyList<string>? PreRegisteredSerials = null);

/// <summary><c>/api/v1/preferences</c>: Settings &gt; Preferences for scripts (Rooms Pro Manager).</summary>
internal static class PreferencesApi
{
    public static void MapPreferencesApi(this RouteGroupBuilder api)
    {
        var preferences = api.MapGroup("/preferences").WithTags("Preferences");
        preferences.MapGet("/", async (PreferencesService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(ct)))
            .WithSummary("Get the provisioning preferences")
            .WithDescription("OTP validity in hours, tenant-wide auto approval, room group overrides (id: on/off) and pre-registered console serials.")
            .Produces<ProvisioningPreferences>()
            .RequireAuthorization(AutomationApi.ManagePolicy);

        preferences.MapPut("/", async (HttpContext http, PreferencesService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<UpdatePreferencesRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var current = body!.RoomGroupOverrides is null || body.PreRegisteredSerials is null ? await service.GetAsync(http.RequestAborted) : null;
                var update = new ProvisioningPreferences(
                    body.OtpValidityHours,
                    body.AutoApproval,
                    body.RoomGroupOverrides ?? current!.RoomGroupOverrides,
                    body.PreRegisteredSerials ?? current!.PreRegisteredSerials);
                var updated = await service.UpdateAsync(update, http.Actor(), http.RequestAborted);
                return updated.Succeeded
                    ? TypedResults.Ok(updated.Value)
                    : updated.Error switch
                    {
                        PreferencesError.InvalidValidity => AutomationApi.Invalid("otpValidityHours",
                            $"otpValidityHours is a whole number from {PreferenceLimits.MinOtpValidityHours} to {PreferenceLimits.MaxOtpValidityHours}."),
                        PreferencesError.UnknownRoomGroup => AutomationApi.Invalid("roomGroupOverrides",
                            "A room group in roomGroupOverrides does not exist: list them with GET /api/v1/room-groups."),
                        _ => AutomationApi.Invalid("preRegisteredSerials",
                            $"Each serial is 1 to {Core.Verification.DeviceLimits.SerialMaxLength} characters without control characters; at most {PreferenceLimits.MaxPreRegisteredDevices} serials."),
                    };
            })
            .WithSummary("Change the provisioning preferences")
            .WithDescription("As the Preferences page's Save: new codes use them from then on. Audited as Preferences.Updated (before -> after).")
            .Accepts<UpdatePreferencesRequest>("application/json")
            .Produces<ProvisioningPreferences>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ManagePolicy);
    }
}
