using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Notifications;

/// <summary>Email digests: the allowed intervals, UTC windows, one node taking a whole digest, its outcome for all its rows, and re-planning.</summary>
public sealed class DigestDispatchStoreTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;
    private NotificationChannelService _channels = default!;
    private NotificationDispatchStore _store = default!;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync();
        _channels = new NotificationChannelService(_h.Database, new EphemeralDataProtectionProvider(), Options.Create(NotificationDispatchStoreTests.Settings), _h.Time);
        _store = new NotificationDispatchStore(_h.Database, _channels, Options.Create(NotificationDispatchStoreTests.Settings), _h.Time);
        _h.Time.Advance(TimeSpan.FromMinutes(7)); // 09:07 UTC
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    private DateTimeOffset At(int hour, int minute, int day = 2) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, "2026-11-02T10:07:00+00:00")]
    [InlineData(15, "2026-11-02T10:15:00+00:00")]
    [InlineData(60, "2026-11-02T11:00:00+00:00")]
    [InlineData(1440, "2026-11-03T00:00:00+00:00")]
    public void A_delivery_is_due_at_the_end_of_its_UTC_window(int minutes, string due)
    {
        // 12:07 at UTC+2 is 10:07 UTC: windows are UTC's, whatever the offset of the clock reading.
        var now = new DateTimeOffset(2026, 11, 2, 12, 7, 0, TimeSpan.FromHours(2));

        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture), NotificationDigests.DueAt(minutes, now));
        Assert.Equal(At(11, 0), NotificationDigests.DueAt(60, At(10, 0))); // a window's first instant belongs to it
    }

    [Fact]
    public async Task Seven_minutes_is_refused_naming_the_allowed_values_when_adding_and_when_changing()
    {
        var refused = await _channels.CreateAsync(Email("Seven", 7), Admin, Ct);
        var webhook = await _channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, "Hook", "https://hooks.example.com/x", null, [NotificationEventTypes.RequestPending], 60), Admin, Ct);
        var id = await EmailChannelAsync(15);
        var change = await _channels.SetDigestAsync(id, 7, Admin, Ct);

        Assert.Equal(ChannelError.InvalidDigest, refused.Error);
        Assert.Equal(ChannelError.InvalidDigest, webhook.Error);
        Assert.Equal(ChannelError.InvalidDigest, change.Error);
        Assert.Contains("0, 15, 60 or 1440 minutes", NotificationChannelService.Describe(ChannelError.InvalidDigest), StringComparison.Ordinal);
        Assert.Equal(15, Assert.Single(await _channels.ListAsync(Ct)).DigestMinutes);
        Assert.Equal(0, await _h.AuditCountAsync(AuditOperations.ChannelDigestChanged));
    }

    [Fact]
    public async Task A_digest_waits_for_its_window_end_then_one_node_takes_all_its_due_deliveries_and_records_them_at_once()
    {
        var id = await EmailChannelAsync(60);
        await TestEventsAsync(id, 3);
        Assert.All(await DeliveriesAsync(), d => Assert.Equal(At(10, 0), d.NextAttemptAt));
        Assert.Empty(await _store.ClaimDigestsAsync("node-a", Ct));

        _h.Time.Advance(At(10, 0) - _h.Time.GetUtcNow());
        await TestEventsAsync(id, 1); // the next window: due at 11:00

        Assert.Empty(await _store.ClaimDueAsync("node-b", Ct)); // never taken one by one
        var digest = Assert.Single(await _store.ClaimDigestsAsync("node-a", Ct));
        Assert.Empty(await _store.ClaimDigestsAsync("node-b", Ct));
        var firstThree = (await DeliveriesAsync()).Take(3).Select(d => d.Id).ToList();
        Assert.Equal(firstThree, digest.DeliveryIds);
        Assert.False(await _store.CompleteAsync(digest.DeliveryIds, "node-b", 250, Ct));
        Assert.True(await _store.CompleteAsync(digest.DeliveryIds, "node-a", 250, Ct));

        var log = await DeliveriesAsync();
        Assert.All(log.Take(3), d => Assert.Equal((DeliveryStatus.Delivered, 1, (DateTimeOffset?)At(10, 0)), (d.Status, d.Attempts, d.LastAttemptAt)));
        Assert.Equal((DeliveryStatus.Pending, At(11, 0)), (log[3].Status, log[3].NextAttemptAt));
        Assert.Empty(await _store.ClaimDigestsAsync("node-a", Ct));
        _h.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal([log[3].Id], Assert.Single(await _store.ClaimDigestsAsync("node-b", Ct)).DeliveryIds);
    }

    [Fact]
    public async Task A_failed_digest_backs_off_all_its_deliveries_together_and_comes_back_whole()
    {
        var (_, digest) = await ClaimedDigestAsync(3);

        Assert.True(await _store.FailAsync(digest.DeliveryIds, "node-a", 421, "The mail server refused: 421", Ct));

        var log = await DeliveriesAsync();
        Assert.All(log, d => Assert.Equal((DeliveryStatus.Failed, 1, "The mail server refused: 421", (string?)null), (d.Status, d.Attempts, d.LastError, d.LeaseOwner)));
        Assert.Single(log.Select(d => d.NextAttemptAt).Distinct());
        Assert.InRange(log[0].NextAttemptAt, At(9, 15).AddSeconds(8), At(9, 15).AddSeconds(12));
        Assert.Empty(await _store.ClaimDigestsAsync("node-b", Ct));
        _h.Time.Advance(TimeSpan.FromSeconds(13));
        var again = Assert.Single(await _store.ClaimDigestsAsync("node-b", Ct));
        Assert.Equal(digest.DeliveryIds, again.DeliveryIds);
        Assert.All(again.Items, i => Assert.Equal(1, i.Attempts));
    }

    [Fact]
    public async Task A_digest_covers_at_most_200_deliveries_and_the_rest_follow_in_the_next()
    {
        var id = await EmailChannelAsync(15);
        await TestEventsAsync(id, NotificationDigests.MaxEvents + 1);
        _h.Time.Advance(At(9, 15) - _h.Time.GetUtcNow());

        var first = Assert.Single(await _store.ClaimDigestsAsync("node-a", Ct));
        Assert.Equal(NotificationDigests.MaxEvents, first.Items.Count);
        Assert.True(await _store.CompleteAsync(first.DeliveryIds, "node-a", 250, Ct));
        Assert.Single(Assert.Single(await _store.ClaimDigestsAsync("node-a", Ct)).Items);
    }

    [Fact]
    public async Task Changing_the_interval_replans_the_waiting_deliveries_keeps_a_retry_s_backoff_and_is_audited()
    {
        var (id, failing) = await ClaimedDigestAsync(1);
        Assert.True(await _store.FailAsync(failing.DeliveryIds, "node-a", null, "timeout", Ct));
        await TestEventsAsync(id, 1); // waiting: due 09:30
        var backoff = (await DeliveriesAsync())[0].NextAttemptAt;

        var daily = await _channels.SetDigestAsync(id, 1440, Admin, Ct);

        Assert.Equal(new DigestChange(15, 1440, 1, At(0, 0, day: 3)), daily.Value);
        var log = await DeliveriesAsync();
        Assert.Equal((backoff, At(0, 0, day: 3)), (log[0].NextAttemptAt, log[1].NextAttemptAt));
        var entry = Assert.Single(await AuditAsync(AuditOperations.ChannelDigestChanged));
        Assert.Equal("Channel Mail", entry.Target);
        Assert.Contains("from 15 to 1440 minutes by Ada Admin", entry.Details, StringComparison.Ordinal);

        Assert.Equal(new DigestChange(1440, 0, 1, At(9, 15)), (await _channels.SetDigestAsync(id, 0, Admin, Ct)).Value);
        Assert.Equal(At(9, 15), (await DeliveriesAsync())[1].NextAttemptAt);
        Assert.Equal(2, await _h.AuditCountAsync(AuditOperations.ChannelDigestChanged));
    }

    private static NewNotificationChannel Email(string name, int minutes) =>
        new(NotificationChannelKind.Email, name, null, null, [NotificationEventTypes.RequestPending], minutes);

    private async Task<Guid> EmailChannelAsync(int minutes)
    {
        var created = await _channels.CreateAsync(Email("Mail", minutes), Admin, Ct);
        Assert.True(created.Succeeded, created.Error.ToString());
        Assert.Equal(minutes, created.Value!.Channel.DigestMinutes);
        return created.Value.Channel.Id;
    }

    // A 15-minute channel with this many test events, its window ended (09:15), the digest claimed by node-a.
    private async Task<(Guid Channel, DispatchDigest Digest)> ClaimedDigestAsync(int events)
    {
        var id = await EmailChannelAsync(15);
        await TestEventsAsync(id, events);
        _h.Time.Advance(At(9, 15) - _h.Time.GetUtcNow());
        return (id, Assert.Single(await _store.ClaimDigestsAsync("node-a", Ct)));
    }

    private async Task TestEventsAsync(Guid channel, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True((await _channels.SendTestAsync(channel, Admin, Ct)).Succeeded);
        }
    }

    private async Task<List<NotificationDelivery>> DeliveriesAsync()
    {
        await using var db = _h.Database.CreateDbContext();
        return await db.Set<NotificationDelivery>().AsNoTracking().OrderBy(d => d.EventSequence).ToListAsync(Ct);
    }

    private async Task<List<AuditEntry>> AuditAsync(string operation)
    {
        await using var db = _h.Database.CreateDbContext();
        return await db.Set<AuditEntry>().AsNoTracking().Where(e => e.Operation == operation).ToListAsync(Ct);
    }
}
