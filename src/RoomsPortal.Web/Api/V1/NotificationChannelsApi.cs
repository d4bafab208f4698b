using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Api.V1;

/// <summary>
/// A channel to add: <c>kind</c> is Webhook, Teams or Email (no <c>url</c>); <c>eventTypes</c> from docs/notifications.md;
/// <c>digestMinutes</c> (Email only) 0, 15, 60 or 1440.
/// </summary>
public sealed record CreateNotificationChannelRequest(
    string Name, NotificationChannelKind Kind, IReadOnlyList<string> EventTypes, string? Url = null, IReadOnlyList<Guid>? RoomGroupIds = null,
    int DigestMinutes = 0)
{
    // A Teams URL carries its credential in the path or query: never print it (logs, exceptions, debuggers).
    public override string ToString() =>
        $"CreateNotificationChannelRequest {{ Name = {Name}, Kind = {Kind}, Url = {NotificationTargets.Redacted(Url)}, EventTypes = {string.Join(",", EventTypes ?? [])} }}";
}

/// <summary>An email channel's digest interval: 0 (one email per event), 15, 60 or 1440 minutes.</summary>
public sealed record SetDigestRequest(int DigestMinutes);

/// <summary>The new channel, and its signing secret (webhooks) in this answer only.</summary>
public sealed record CreatedNotificationChannelResponse(NotificationChannelView Channel, string? Secret)
{
    public override string ToString() => $"CreatedNotificationChannelResponse {{ Channel = {Channel.Name}, Secret = *** }}";
}

/// <summary><c>/api/v1/notification-channels</c>: list, add and test channels (Rooms Pro Manager), as Settings &gt; Notifications does.</summary>
internal static class NotificationChannelsApi
{
    public static void MapNotificationChannelsApi(this RouteGroupBuilder api)
    {
        var channels = api.MapGroup("/notification-channels").WithTags("Notifications");
        channels.MapGet("/", async (NotificationChannelService service, HttpContext http) => TypedResults.Ok(await service.ListAsync(http.RequestAborted)))
            .WithSummary("List notification channels")
            .WithDescription("Each channel with its kind, target (without the URL's query), events, room groups, status and last delivery; never a secret.")
            .Produces<IReadOnlyList<NotificationChannelView>>()
            .RequireAuthorization(AutomationApi.ManagePolicy);

        channels.MapPost("/", async (HttpContext http, NotificationChannelService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<CreateNotificationChannelRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var created = await service.CreateAsync(
                    new NewNotificationChannel(body!.Kind, body.Name ?? string.Empty, body.Url, body.RoomGroupIds, body.EventTypes ?? [], body.DigestMinutes), http.Actor(), http.RequestAborted);
                if (created.Succeeded)
                {
                    return TypedResults.Created($"{AutomationApi.Root}/notification-channels/{created.Value!.Channel.Id}",
                        new CreatedNotificationChannelResponse(created.Value.Channel, created.Value.Secret));
                }

                var error = created.Error!.Value;
                return error switch
                {
                    ChannelError.InvalidTarget => AutomationApi.Invalid("url", service.TargetProblem(body.Url) ?? NotificationChannelService.Describe(error)),
                    ChannelError.NoEventTypes or ChannelError.UnknownEventType => AutomationApi.Invalid("eventTypes", NotificationChannelService.Describe(error)),
                    ChannelError.RoomGroupNotFound => AutomationApi.Invalid("roomGroupIds", NotificationChannelService.Describe(error)),
                    ChannelError.PortalUrlMissing => AutomationApi.Invalid("kind", NotificationChannelService.Describe(error)),
                    ChannelError.InvalidDigest => AutomationApi.Invalid("digestMinutes", NotificationChannelService.Describe(error)),
                    _ => AutomationApi.Invalid("name", NotificationChannelService.Describe(error)),
                };
            })
            .WithSummary("Add a notification channel")
            .WithDescription("Returns a webhook's signing secret once. The URL (Webhook, Teams) must be https to a public address unless Notifications:AllowPrivateTargets is set; an Email channel has no url and mails the users whose role and room groups cover each event (their email address is set on /api/v1/users).")
            .Accepts<CreateNotificationChannelRequest>("application/json")
            .Produces<CreatedNotificationChannelResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        channels.MapPut("/{id:guid}/digest", async (Guid id, HttpContext http, NotificationChannelService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<SetDigestRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var changed = await service.SetDigestAsync(id, body!.DigestMinutes, http.Actor(), http.RequestAborted);
                return changed.Succeeded
                    ? TypedResults.Ok(changed.Value)
                    : changed.Error == ChannelError.NotFound
                        ? AutomationApi.NotFound("notification channel")
                        : AutomationApi.Invalid("digestMinutes", NotificationChannelService.Describe(changed.Error!.Value));
            })
            .WithSummary("Set an email channel's digest interval")
            .WithDescription("0 sends one email per event; 15, 60 or 1440 collect the events of each UTC-aligned window into one message per person. The channel's waiting deliveries are re-planned to the new window's end (or now for 0). Audited as Notifications.DigestChanged.")
            .Accepts<SetDigestRequest>("application/json")
            .Produces<DigestChange>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        channels.MapPost("/{id:guid}/test", async (Guid id, HttpContext http, NotificationChannelService service) =>
            {
                var sent = await service.SendTestAsync(id, http.Actor(), http.RequestAborted);
                return sent.Succeeded
                    ? TypedResults.Accepted((string?)null, new { eventId = sent.Value })
                    : sent.Error == ChannelError.NotFound ? AutomationApi.NotFound("notification channel") : AutomationApi.Invalid("id", NotificationChannelService.Describe(sent.Error!.Value));
            })
            .WithSummary("Send a test event to a channel")
            .WithDescription("Queues a test event for this channel alone; its delivery log shows the outcome.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ManagePolicy);
    }
}
