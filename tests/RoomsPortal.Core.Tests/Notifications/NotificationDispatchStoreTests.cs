using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Notifications;

/// <summary>Leases, per-channel order, backoff and disabling after a day of failures.</summary>
public sealed class NotificationDispatchStoreTests : IAsyncLifetime
{
    internal static NotificationOptions Settings { get; } = new()
    {
        PortalUrl = new Uri("https://portal.example.com/"),
        RetryBaseDelay = TimeSpan.FromSeconds(10),
        DisableAfter = TimeSpan.FromHours(24),
    };

    private ProvisioningHarness _h = default!;
    private NotificationChannelService _channels = default!;
    private NotificationDispatchStore _store = default!;
    private Guid _channel;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync();
        _channels = new NotificationChannelService(_h.Database, new EphemeralDataProtectionProvider(), Options.Create(Settings), _h.Time);
        _store = new NotificationDispatchStore(_h.Database, _channels, Options.Create(Settings), _h.Time);
        _channel = (await _channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, "Hook", "https://hooks.example.com/x?sig=1", null, [NotificationEventTypes.RequestPending]), Admin, Ct)).Value!.Channel.Id;
        await _channels.SendTestAsync(_channel, Admin, Ct);
        await _channels.SendTestAsync(_channel, Admin, Ct);
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task One_node_takes_the_head_and_the_next_event_waits_until_it_is_delivered()
    {
        var a = await _store.ClaimDueAsync("node-a", Ct);
        var b = await _store.ClaimDueAsync("node-b", Ct);

        var head = Assert.Single(a);
        Assert.Empty(b);
        Assert.Equal("https://hooks.example.com/x?sig=1", head.Target);
        Assert.StartsWith("whsec_", head.Secret, StringComparison.Ordinal);
        Assert.False(await _store.CompleteAsync(head.DeliveryId, "node-b", 200, Ct));
        Assert.True(await _store.CompleteAsync(head.DeliveryId, "node-a", 200, Ct));

        var next = Assert.Single(await _store.ClaimDueAsync("node-b", Ct));
        Assert.True(next.EventSequence > head.EventSequence);
    }

    [Fact]
    public async Task A_failure_backs_off_and_a_day_of_failures_disables_the_channel_with_an_audit_entry()
    {
        var head = Assert.Single(await _store.ClaimDueAsync("node-a", Ct));
        Assert.True(await _store.FailAsync(head.DeliveryId, "node-a", 500, "HTTP 500", Ct));
        Assert.Empty(await _store.ClaimDueAsync("node-a", Ct));

        _h.Time.Advance(TimeSpan.FromSeconds(13));
        head = Assert.Single(await _store.ClaimDueAsync("node-a", Ct));
        Assert.Equal(1, head.Attempts);
        _h.Time.Advance(TimeSpan.FromHours(24));
        Assert.True(await _store.FailAsync(head.DeliveryId, "node-a", null, "timeout", Ct));

        var channel = Assert.Single(await _channels.ListAsync(Ct));
        Assert.False(channel.Enabled);
        Assert.Contains("failed since", channel.DisabledReason, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Dead, channel.LastStatus);
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.ChannelDisabled));
        Assert.Empty(await _store.ClaimDueAsync("node-a", Ct));

        // Enabling again and redelivering from the log queues the given-up delivery first.
        await _channels.SetEnabledAsync(_channel, true, Admin, Ct);
        Assert.True((await _channels.RedeliverAsync(head.DeliveryId, Admin, Ct)).Succeeded);
        Assert.Equal(head.DeliveryId, Assert.Single(await _store.ClaimDueAsync("node-b", Ct)).DeliveryId);
    }

    [Fact]
    public void Backoff_doubles_with_jitter_and_stops_at_the_cap()
    {
        var settings = new NotificationOptions { RetryBaseDelay = TimeSpan.FromSeconds(10), RetryMaxDelay = TimeSpan.FromMinutes(5) };
        Assert.InRange(NotificationDispatchStore.Backoff(1, settings), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
        Assert.InRange(NotificationDispatchStore.Backoff(3, settings), TimeSpan.FromSeconds(32), TimeSpan.FromSeconds(48));
        Assert.InRange(NotificationDispatchStore.Backoff(30, settings), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(6));
    }

    [Fact]
    public async Task Redeliver_refuses_a_delivery_being_sent_so_no_second_node_can_send_it_at_the_same_time()
    {
        var head = Assert.Single(await _store.ClaimDueAsync("node-a", Ct));

        var refused = await _channels.RedeliverAsync(head.DeliveryId, Admin, Ct);

        Assert.Equal(ChannelError.DeliveryInFlight, refused.Error);
        Assert.Contains("being sent right now", NotificationChannelService.Describe(refused.Error!.Value), StringComparison.Ordinal);
        Assert.Empty(await _store.ClaimDueAsync("node-b", Ct));
        Assert.True(await _store.CompleteAsync(head.DeliveryId, "node-a", 200, Ct));
        Assert.Equal(0, await _h.AuditCountAsync(AuditOperations.DeliveryRequeued));

        // Once recorded, it can be queued again (and is attempted once more, by one node).
        Assert.True((await _channels.RedeliverAsync(head.DeliveryId, Admin, Ct)).Succeeded);
        Assert.Equal(head.DeliveryId, Assert.Single(await _store.ClaimDueAsync("node-b", Ct)).DeliveryId);
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.DeliveryRequeued));
    }

    [Fact]
    public async Task A_node_whose_lease_ran_out_and_was_taken_records_nothing_over_the_new_holder()
    {
        var head = Assert.Single(await _store.ClaimDueAsync("node-a", Ct));
        _h.Time.Advance(Settings.LeaseDuration + TimeSpan.FromSeconds(1));
        var taken = Assert.Single(await _store.ClaimDueAsync("node-b", Ct));
        Assert.Equal(head.DeliveryId, taken.DeliveryId);

        Assert.False(await _store.CompleteAsync(head.DeliveryId, "node-a", 200, Ct));
        Assert.False(await _store.FailAsync(head.DeliveryId, "node-a", 500, "late", Ct));

        var row = (await DeliveriesAsync()).Single(d => d.Id == head.DeliveryId);
        Assert.Equal((DeliveryStatus.Pending, 0, "node-b"), (row.Status, row.Attempts, row.LeaseOwner));
        Assert.True(await _store.FailAsync(head.DeliveryId, "node-b", 503, "busy", Ct));
        row = (await DeliveriesAsync()).Single(d => d.Id == head.DeliveryId);
        Assert.Equal((DeliveryStatus.Failed, 1, (string?)null, "busy"), (row.Status, row.Attempts, row.LeaseOwner, row.LastError));
        Assert.True(row.NextAttemptAt > _h.Time.GetUtcNow());
    }

    [Fact]
    public async Task The_purge_deletes_delivered_and_given_up_rows_past_the_retention_and_keeps_what_is_still_due()
    {
        var purge = new NotificationOutboxPurge(_h.Database, Options.Create(Settings), _h.Time);
        var first = Assert.Single(await _store.ClaimDueAsync("node-a", Ct));
        Assert.True(await _store.CompleteAsync(first.DeliveryId, "node-a", 200, Ct));
        var second = Assert.Single(await _store.ClaimDueAsync("node-a", Ct));
        Assert.True(await _store.FailAsync(second.DeliveryId, "node-a", 500, "HTTP 500", Ct));
        _h.Time.Advance(Settings.DisableAfter + TimeSpan.FromMinutes(1));
        second = Assert.Single(await _store.ClaimDueAsync("node-a", Ct));
        Assert.True(await _store.FailAsync(second.DeliveryId, "node-a", 500, "HTTP 500", Ct)); // a day of failures: Dead
        var other = (await _channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, "Other", "https://hooks.example.com/y", null, [NotificationEventTypes.RequestPending]), Admin, Ct)).Value!.Channel.Id;
        await _channels.SendTestAsync(other, Admin, Ct); // stays Pending: nobody sends it in this test
        Assert.Equal([DeliveryStatus.Delivered, DeliveryStatus.Dead, DeliveryStatus.Pending], (await DeliveriesAsync()).Select(d => d.Status));

        Assert.Equal(0, await purge.PurgeIfDueAsync(Ct)); // nothing is past the retention yet
        _h.Time.Advance(Settings.OutboxRetention + TimeSpan.FromMinutes(1));

        Assert.Equal(2, await purge.PurgeIfDueAsync(Ct));
        Assert.Null(await purge.PurgeIfDueAsync(Ct)); // once an hour per node

        var left = Assert.Single(await DeliveriesAsync());
        Assert.Equal((other, DeliveryStatus.Pending), (left.ChannelId, left.Status));
        await using var db = _h.Database.CreateDbContext();
        Assert.Equal([left.EventSequence], await db.Set<NotificationEvent>().Select(e => e.Id).ToListAsync(Ct));
    }

    private async Task<List<NotificationDelivery>> DeliveriesAsync()
    {
        await using var db = _h.Database.CreateDbContext();
        return await db.Set<NotificationDelivery>().AsNoTracking().OrderBy(d => d.EventSequence).ToListAsync(Ct);
    }
}
