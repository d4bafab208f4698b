using Microsoft.EntityFrameworkCore;

namespace RoomsPortal.Core.Notifications;

/// <summary>The deliveries of one email digest a node holds the lease of: one channel, in event order (at most <see cref="NotificationDigests.MaxEvents"/>).</summary>
public sealed record DispatchDigest(Guid ChannelId, string ChannelName, IReadOnlyList<DispatchItem> Items)
{
    public IReadOnlyList<long> DeliveryIds => [.. Items.Select(i => i.DeliveryId)];
}

public sealed partial class NotificationDispatchStore
{
    /// <summary>
    /// Takes the due digests of the enabled digest channels for <paramref name="owner"/>: the channel's head delivery by
    /// the same conditional UPDATE as a single delivery (one node wins it), then, by the winner only, the channel's other
    /// due deliveries that no node holds (up to <see cref="NotificationDigests.MaxEvents"/> in all). No other node takes a
    /// digest channel's deliveries but from its head, so the node holding the head owns the whole digest; its outcome is
    /// recorded for all of them at once (<see cref="CompleteAsync(IReadOnlyCollection{long}, string, int?, CancellationToken)"/>).
    /// </summary>
    public async Task<IReadOnlyList<DispatchDigest>> ClaimDigestsAsync(string owner, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var now = time.GetUtcNow();
        var until = now + options.Value.LeaseDuration;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var digestChannels = await db.Set<NotificationChannel>().Where(c => c.Enabled && c.DigestMinutes > 0).Select(c => c.Id).ToListAsync(ct);
        var digests = new List<DispatchDigest>();
        foreach (var channelId in digestChannels)
        {
            var open = db.Set<NotificationDelivery>()
                .Where(d => d.ChannelId == channelId && (d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Failed));
            var head = await open.OrderBy(d => d.EventSequence).Select(d => new { d.Id, d.NextAttemptAt, d.LeaseUntil }).FirstOrDefaultAsync(ct);
            if (head is null || head.NextAttemptAt > now || head.LeaseUntil >= now)
            {
                // Nothing, a digest still gathering its window, or one under way: no write (the dispatcher claims often).
                continue;
            }

            var headId = head.Id;

            var free = open.Where(d => d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now));
            if (await free.Where(d => d.Id == headId).ExecuteUpdateAsync(d => d.SetProperty(x => x.LeaseOwner, owner).SetProperty(x => x.LeaseUntil, until), ct) == 0)
            {
                continue;
            }

            var rest = await free.Where(d => d.Id != headId).OrderBy(d => d.EventSequence).Take(NotificationDigests.MaxEvents - 1).Select(d => d.Id).ToListAsync(ct);
            if (rest.Count > 0)
            {
                await free.Where(d => rest.Contains(d.Id))
                    .ExecuteUpdateAsync(d => d.SetProperty(x => x.LeaseOwner, owner).SetProperty(x => x.LeaseUntil, until), ct);
            }

            var held = await open.Where(d => (d.Id == headId || rest.Contains(d.Id)) && d.LeaseOwner == owner).Select(d => d.Id).ToListAsync(ct);
            var items = await ItemsAsync(db, held, owner, ct);
            if (items.Count > 0)
            {
                digests.Add(new DispatchDigest(channelId, items[0].ChannelName, items));
            }
        }

        return digests;
    }
}
