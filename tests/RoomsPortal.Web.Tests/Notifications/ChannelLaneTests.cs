using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>
/// Each channel goes at its own pace: a slow receiver holds back only its own channel's next event, not the others'.
/// The notifications bench found every channel paced by the slowest (11-16 events/s each, email's ~50 ms per message
/// setting the beat for webhooks and Teams cards too).
/// </summary>
public sealed class ChannelLaneTests
{
    [Fact]
    public async Task While_one_channel_waits_for_its_receiver_another_channel_gets_all_its_events()
    {
        await using var slow = await WebhookReceiver.StartAsync(Ct);
        await using var fast = await WebhookReceiver.StartAsync(Ct);
        var firstHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        slow.BeforeAnswer = reached =>
        {
            if (reached > 0)
            {
                return Task.CompletedTask;
            }

            firstHeld.TrySetResult();
            return release.Task;
        };

        // An attempt may take a minute here, so the held one neither times out nor loses its lease during the test.
        await using var portal = new PortalFactory().InProduction().Notifying()
            .WithSetting("Notifications:AttemptTimeout", "00:01:00")
            .WithSetting("Notifications:LeaseDuration", "00:02:00");
        await portal.Services.AddChannelAsync(NotificationChannelKind.Webhook, new Uri(slow.Address, "slow"), "Slow", NotificationEventTypes.RequestPending);
        await portal.Services.AddChannelAsync(NotificationChannelKind.Webhook, new Uri(fast.Address, "fast"), "Fast", NotificationEventTypes.RequestPending);

        var requests = new List<Guid>();
        for (var i = 1; i <= 3; i++)
        {
            requests.Add(await portal.Services.RedeemAsync($"room-lane-{i}@contoso.com", $"SN-LANE-{i}"));
        }

        await firstHeld.Task.WaitAsync(Patience, Ct);
        var fastGot = await fast.WaitForAsync(r => r.Count >= 3, Patience, Ct);
        var slowAnsweredMeanwhile = slow.Received.Count;
        release.SetResult();
        var slowGot = await slow.WaitForAsync(r => r.Count >= 3, Patience, Ct);

        Assert.Equal(0, slowAnsweredMeanwhile);
        Assert.Equal(requests, fastGot.Select(RequestOf));
        Assert.Equal(requests, slowGot.Select(RequestOf));
    }

    private static Guid RequestOf(ReceivedWebhook webhook)
    {
        using var body = System.Text.Json.JsonDocument.Parse(webhook.Body);
        return body.RootElement.GetProperty("data").GetProperty("requestId").GetGuid();
    }
}
