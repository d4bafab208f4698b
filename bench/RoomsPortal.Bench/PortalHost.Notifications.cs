using System.Net.Http.Json;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Bench;

/// <summary>The notifications run's set-up, over the automation API only, as a customer's script would make it.</summary>
internal static partial class PortalHost
{
    /// <summary>
    /// After <c>prepare</c> made the room group: a Site Lead of it with <paramref name="email"/> (the email channel's
    /// one recipient; the first administrator has no address), and a webhook, a Teams and an email channel for
    /// <c>request.pending</c> in that room group. Answers the webhook's signing secret, shown once as to a customer.
    /// </summary>
    private static async Task<string> NotifyAsync(HttpClient api, Uri webhook, Uri teams, string email)
    {
        var groups = await ReadAsync(await api.GetAsync("api/v1/room-groups"), "room groups");
        var groupId = groups.EnumerateArray().Single(g => g.GetProperty("name").GetString() == RoomGroup).GetProperty("id").GetGuid();
        using var lead = await api.PostAsJsonAsync("api/v1/users", new
        {
            userName = "bench-lead",
            displayName = "Bench Site Lead",
            role = "SiteLead",
            roomGroupIds = new[] { groupId },
            email,
        });
        await ReadAsync(lead, "site lead");

        string? secret = null;
        foreach (var (kind, url) in new[] { ("Webhook", webhook.AbsoluteUri), ("Teams", teams.AbsoluteUri), ("Email", (string?)null) })
        {
            using var created = await api.PostAsJsonAsync("api/v1/notification-channels", new
            {
                name = "Bench " + kind,
                kind,
                url,
                eventTypes = new[] { NotificationEventTypes.RequestPending },
                roomGroupIds = new[] { groupId },
            });
            var channel = await ReadAsync(created, kind + " channel");
            if (kind == "Webhook")
            {
                secret = channel.GetProperty("secret").GetString();
            }
        }

        return $"channels {secret}";
    }
}
