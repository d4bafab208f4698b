using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>Signed webhooks from the outbox to a receiver on a loopback port: retries, order, restarts.</summary>
public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task A_redemption_arrives_signed_after_two_refusals_and_the_decision_follows_in_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        receiver.Answer = n => n < 2 ? 500 : 200;
        await using var portal = new PortalFactory().Notifying();
        var channel = await portal.Services.AddChannelAsync(NotificationChannelKind.Webhook, new Uri(receiver.Address, "hooks/rooms?token=t1"));
        await new PortalProvisioning(portal.Services).SetPreferencesAsync(autoApproval: false, ct: Ct);

        var requestId = await portal.Services.RedeemAsync("room-1@contoso.com", "SN-HOOK-1");
        await receiver.WaitForAsync(r => r.Count(x => x.Answered == 200) == 1, Patience, Ct);
        await new PortalProvisioning(portal.Services).ApproveAsync(requestId, Ct);
        var received = await receiver.WaitForAsync(r => r.Count(x => x.Answered == 200) == 2, Patience, Ct);

        Assert.Equal([500, 500, 200, 200], received.Select(r => r.Answered));
        Assert.All(received, r => Assert.True(r.SignatureIsValid(channel.Secret!, DateTimeOffset.UtcNow), "signature"));
        Assert.All(received, r => Assert.Equal("/hooks/rooms", r.Path));
        Assert.False(received[0].SignatureIsValid("whsec_" + new string('0', 64), DateTimeOffset.UtcNow));
        var pending = JsonDocument.Parse(received[2].Body).RootElement;
        var decided = JsonDocument.Parse(received[3].Body).RootElement;
        Assert.Equal(received[0].Body, received[2].Body);
        Assert.Equal(NotificationEventTypes.RequestPending, pending.GetProperty("type").GetString());
        Assert.Equal(NotificationEventTypes.RequestDecided, decided.GetProperty("type").GetString());
        Assert.Equal(1, pending.GetProperty("version").GetInt32());
        Assert.Equal(pending.GetProperty("id").GetString(), received[2].Header("RoomsPortal-Event-Id"));
        Assert.Equal($"{PortalUrl}approvals/{requestId:D}", pending.GetProperty("link").GetString());
        Assert.Equal("SN-HOOK-1", pending.GetProperty("data").GetProperty("serial").GetString());
        Assert.Equal("Approved", decided.GetProperty("data").GetProperty("status").GetString());
        Assert.DoesNotContain("Room-Pass", received[2].Body, StringComparison.Ordinal);

        var log = await portal.Services.DeliveredLogAsync();
        Assert.Equal([(DeliveryStatus.Delivered, 3, 200), (DeliveryStatus.Delivered, 1, 200)], log.Select(d => (d.Status, d.Attempts, d.LastResponseCode ?? 0)));
        // Nothing secret reaches the log files: not the signing secret, not the URL's token.
        var logs = await portal.ReadLogsAsync(Ct);
        Assert.DoesNotContain(channel.Secret!, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("token=t1", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_the_receiver_refused_is_delivered_by_the_portal_after_a_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        receiver.Answer = _ => 503;
        var dataDirectory = string.Empty;
        CreatedChannel channel;
        await using (var first = new PortalFactory().Notifying().KeepData())
        {
            dataDirectory = first.DataDirectory;
            channel = await first.Services.AddChannelAsync(NotificationChannelKind.Webhook, new Uri(receiver.Address, "hook"));
            await new PortalProvisioning(first.Services).SetPreferencesAsync(autoApproval: false, ct: Ct);
            await first.Services.RedeemAsync("room-2@contoso.com", "SN-HOOK-2");
            await receiver.WaitForAsync(r => r.Count >= 1, Patience, Ct);
        }

        receiver.Answer = _ => 200;
        await using var second = new PortalFactory(dataDirectory).Notifying();
        _ = second.Services; // starts the host, and its dispatcher
        var received = await receiver.WaitForAsync(r => r.Any(x => x.Answered == 200), Patience, Ct);

        var delivered = received.Single(r => r.Answered == 200);
        Assert.True(delivered.SignatureIsValid(channel.Secret!, DateTimeOffset.UtcNow));
        Assert.Equal(received[0].Header("RoomsPortal-Event-Id"), delivered.Header("RoomsPortal-Event-Id"));
        Assert.Equal(NotificationEventTypes.RequestPending, delivered.Header("RoomsPortal-Event-Type"));
    }
}
