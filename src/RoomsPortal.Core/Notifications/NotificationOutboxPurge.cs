using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Notifications;

/// <summary>
/// Keeps the outbox from growing without end: delivered and given-up deliveries, and events with no delivery left, are
/// deleted once older than <see cref="NotificationOptions.OutboxRetention"/>. Run by each node's dispatcher, hourly.
/// </summary>
public sealed class NotificationOutboxPurge(IDbContextFactory<PortalDbContext> dbFactory, IOptions<NotificationOptions> options, TimeProvider time)
{
    /// <summary>How often a node purges the outbox (<see cref="PurgeIfDueAsync"/>).</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private const int PurgeBatch = 1000;
    private DateTimeOffset _nextPurgeAt = DateTimeOffset.MinValue;

    /// <summary>
    /// Purges rows past <see cref="NotificationOptions.OutboxRetention"/> when this node has not done so within
    /// <see cref="PurgeInterval"/> (the dispatcher calls it every round); the number of events deleted, or null when not due.
    /// Several nodes purging at once is harmless: each deletes what is still there.
    /// </summary>
    public async Task<int?> PurgeIfDueAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        if (now < _nextPurgeAt)
        {
            return null;
        }

        _nextPurgeAt = now + PurgeInterval;
        return await PurgeAsync(now - options.Value.OutboxRetention, ct);
    }

    /// <summary>
    /// Deletes delivered and given-up deliveries whose last attempt (or creation) is before <paramref name="before"/>,
    /// then events from before it with no delivery left (pending and failing deliveries, and their events, stay). In
    /// batches, so a first purge of a large outbox does not hold one long write. Returns the number of events deleted.
    /// </summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        while (true)
        {
            var done = await db.Set<NotificationDelivery>()
                .Where(d => (d.Status == DeliveryStatus.Delivered || d.Status == DeliveryStatus.Dead) && d.CreatedAt < before
                    && (d.LastAttemptAt == null || d.LastAttemptAt < before))
                .OrderBy(d => d.Id).Select(d => d.Id).Take(PurgeBatch).ToListAsync(ct);
            if (done.Count == 0)
            {
                break;
            }

            // The status again: a row queued again (Redeliver) since the read stays.
            await db.Set<NotificationDelivery>()
                .Where(d => done.Contains(d.Id) && (d.Status == DeliveryStatus.Delivered || d.Status == DeliveryStatus.Dead))
                .ExecuteDeleteAsync(ct);
        }

        var events = 0;
        while (true)
        {
            var old = await db.Set<NotificationEvent>()
                .Where(e => e.OccurredAt < before && !db.Set<NotificationDelivery>().Any(d => d.EventSequence == e.Id))
                .OrderBy(e => e.Id).Select(e => e.Id).Take(PurgeBatch).ToListAsync(ct);
            if (old.Count == 0)
            {
                return events;
            }

            events += await db.Set<NotificationEvent>()
                .Where(e => old.Contains(e.Id) && !db.Set<NotificationDelivery>().Any(d => d.EventSequence == e.Id))
                .ExecuteDeleteAsync(ct);
        }
    }
}
