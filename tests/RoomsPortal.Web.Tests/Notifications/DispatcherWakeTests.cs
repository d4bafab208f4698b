using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>A committed outbox row wakes this node's dispatcher: delivery does not wait for the next poll.</summary>
public sealed class DispatcherWakeTests
{
    [Fact]
    public async Task A_commit_wakes_the_waiting_dispatcher_so_the_event_goes_out_without_a_poll()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        // The next poll would come after ten minutes: within this test's wait, only the wake-up after the commit can deliver.
        await using var portal = new PortalFactory().Notifying().WithSetting("Notifications:PollInterval", "00:10:00");
        var channel = await portal.Services.AddChannelAsync(NotificationChannelKind.Webhook, new Uri(receiver.Address, "hook"));
        var signal = portal.Services.GetRequiredService<NotificationOutboxSignal>();
        // The dispatcher has found nothing and waits (adding a channel writes no delivery).
        var deadline = DateTime.UtcNow + Patience;
        while (!(signal.HasWaiter && !signal.IsRaised) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, Ct);
        }

        Assert.True(signal.HasWaiter, "the dispatcher never waited");
        var sent = await portal.Services.GetRequiredService<NotificationChannelService>().SendTestAsync(channel.Channel.Id, PortalProvisioning.Admin, Ct);
        var received = await receiver.WaitForAsync(r => r.Count >= 1, Patience, Ct);

        Assert.Equal(sent.Value.ToString("D"), Assert.Single(received).Header("RoomsPortal-Event-Id"));
    }
}
