using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Notifications;

/// <summary>A delivery a node holds the lease of, with what sending it needs (the target and secret in clear, in memory only).</summary>
public sealed record DispatchItem(
    long DeliveryId, Guid ChannelId, NotificationChannelKind Kind, string ChannelName, string? Target, string? Secret,
    long EventSequence, Guid EventId, string EventType, DateTimeOffset OccurredAt, Guid? RoomGroupId, Guid? RequestId,
    string Payload, int Attempts)
{
    // The generated ToString would print the target (a Teams URL carries its credential) and the signing secret.
    public override string ToString() =>
        $"DispatchItem {{ DeliveryId = {DeliveryId}, Channel = {ChannelName} ({Kind}), Target = {NotificationTargets.Redacted(Target)}, "
        + $"Secret = {(Secret is null ? "(none)" : "***")}, Event = {EventType} {EventId}, Attempts = {Attempts} }}";
}

/// <summary>
/// The dispatcher's side of the outbox. Each channel's oldest undelivered delivery is its head; a node takes a head by a
/// conditional UPDATE (<c>WHERE lease expired AND status is Pending or Failed</c>), so one node at a time attempts it,
/// and the channel's next delivery waits until the head is delivered or given up: events reach a channel in order.
/// </summary>
public sealed partial class NotificationDispatchStore(
    IDbContextFactory<PortalDbContext> dbFactory,
    NotificationChannelService channels,
    IOptions<NotificationOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// Takes the due heads of the enabled channels without a digest for <paramref name="owner"/> (a node's id), at most
    /// one per channel; digest channels are taken whole by <see cref="ClaimDigestsAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<DispatchItem>> ClaimDueAsync(string owner, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var now = time.GetUtcNow();
        var until = now + options.Value.LeaseDuration;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var open = db.Set<NotificationDelivery>()
            .Where(d => (d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Failed) && d.Channel!.Enabled && d.Channel.DigestMinutes == 0);
        var heads = await open.GroupBy(d => d.ChannelId).Select(g => g.Min(d => d.EventSequence)).ToListAsync(ct);
        if (heads.Count == 0)
        {
            return [];
        }

        var due = await open
            .Where(d => heads.Contains(d.EventSequence) && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
            .Select(d => new { d.Id, d.ChannelId, d.EventSequence })
            .ToListAsync(ct);
        var claimed = new List<long>();
        foreach (var candidate in due)
        {
            // The head of its own channel only (an event sequence can be the head of another channel too).
            var isHead = !await open.AnyAsync(d => d.ChannelId == candidate.ChannelId && d.EventSequence < candidate.EventSequence, ct);
            if (!isHead)
            {
                continue;
            }

            var taken = await db.Set<NotificationDelivery>()
                .Where(d => d.Id == candidate.Id
                    && (d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Failed)
                    && d.NextAttemptAt <= now
                    && (d.LeaseUntil == null || d.LeaseUntil < now))
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.LeaseOwner, owner).SetProperty(x => x.LeaseUntil, until), ct);
            if (taken == 1)
            {
                claimed.Add(candidate.Id);
            }
        }

        return claimed.Count == 0 ? [] : await ItemsAsync(db, claimed, owner, ct);
    }

    // What sending the leased deliveries needs, in event order; a channel whose secrets cannot be read fails instead.
    private async Task<List<DispatchItem>> ItemsAsync(PortalDbContext db, List<long> claimed, string owner, CancellationToken ct)
    {
        var rows = await db.Set<NotificationDelivery>().AsNoTracking()
            .Where(d => claimed.Contains(d.Id))
            .Select(d => new { Delivery = d, Channel = d.Channel!, Event = d.Event! })
            .ToListAsync(ct);
        var items = new List<DispatchItem>(rows.Count);
        foreach (var r in rows.OrderBy(r => r.Delivery.EventSequence))
        {
            string? target, secret;
            try
            {
                target = r.Channel.TargetProtected is null ? null : channels.UnprotectTarget(r.Channel.TargetProtected);
                secret = r.Channel.SecretProtected is null ? null : channels.UnprotectSecret(r.Channel.SecretProtected);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Keys replaced since the channel was made (docs/security.md): only this channel stops, the others go on.
                await FailAsync(r.Delivery.Id, owner, null,
                    "The channel's address or secret cannot be read with this portal's keys (were they replaced?); delete the channel and add it again.", ct);
                continue;
            }

            items.Add(new DispatchItem(
                r.Delivery.Id, r.Channel.Id, r.Channel.Kind, r.Channel.Name, target, secret,
                r.Event.Id, r.Event.EventId, r.Event.Type, r.Event.OccurredAt, r.Event.RoomGroupId, r.Event.RequestId, r.Event.Payload,
                r.Delivery.Attempts));
        }

        return items;
    }

    /// <summary>
    /// Records a successful attempt, only while <paramref name="owner"/> still holds the lease: one conditional UPDATE
    /// (<c>WHERE LeaseOwner = owner</c>), so a node whose lease ran out and was taken by another records nothing.
    /// </summary>
    public Task<bool> CompleteAsync(long deliveryId, string owner, int? responseCode, CancellationToken ct = default) =>
        CompleteAsync([deliveryId], owner, responseCode, ct);

    /// <summary>Records a successful attempt of every delivery of a digest at once (one conditional UPDATE), as above.</summary>
    public async Task<bool> CompleteAsync(IReadOnlyCollection<long> deliveryIds, string owner, int? responseCode, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deliveryIds);
        ArgumentNullException.ThrowIfNull(owner);
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var channelId = await db.Set<NotificationDelivery>().Where(d => deliveryIds.Contains(d.Id)).Select(d => (Guid?)d.ChannelId).FirstOrDefaultAsync(token);
            var recorded = await Held(db, deliveryIds, owner).ExecuteUpdateAsync(d => d
                .SetProperty(x => x.Status, DeliveryStatus.Delivered)
                .SetProperty(x => x.Attempts, x => x.Attempts + 1)
                .SetProperty(x => x.LastAttemptAt, now)
                .SetProperty(x => x.DeliveredAt, now)
                .SetProperty(x => x.LastResponseCode, responseCode)
                .SetProperty(x => x.LastError, (string?)null)
                .SetProperty(x => x.LeaseOwner, (string?)null)
                .SetProperty(x => x.LeaseUntil, (DateTimeOffset?)null), token);
            if (recorded == 0)
            {
                return false;
            }

            await db.Set<NotificationChannel>().Where(c => c.Id == channelId)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.FailingSince, (DateTimeOffset?)null), token);
            return true;
        }, ct);
    }

    /// <summary>
    /// Records a failed attempt, only while <paramref name="owner"/> still holds the lease (a conditional UPDATE first,
    /// which also holds the row until the commit): the next is due after an exponential backoff with jitter; a channel
    /// failing for <see cref="NotificationOptions.DisableAfter"/> is disabled, with an audit entry, and the delivery given up (Dead).
    /// </summary>
    public Task<bool> FailAsync(long deliveryId, string owner, int? responseCode, string error, CancellationToken ct = default) =>
        FailAsync([deliveryId], owner, responseCode, error, ct);

    /// <summary>
    /// Records a failed attempt of every delivery of a digest at once, as above: they all come back after one backoff
    /// (counted from the most-tried of them), so the retry is again one digest; disabling gives them all up.
    /// </summary>
    public async Task<bool> FailAsync(IReadOnlyCollection<long> deliveryIds, string owner, int? responseCode, string error, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deliveryIds);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(error);
        var now = time.GetUtcNow();
        var settings = options.Value;
        var lastError = error.Length <= NotificationDelivery.ErrorMaxLength ? error : error[..NotificationDelivery.ErrorMaxLength];
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var recorded = await Held(db, deliveryIds, owner).ExecuteUpdateAsync(d => d
                .SetProperty(x => x.Status, DeliveryStatus.Failed)
                .SetProperty(x => x.Attempts, x => x.Attempts + 1)
                .SetProperty(x => x.LastAttemptAt, now)
                .SetProperty(x => x.LastResponseCode, responseCode)
                .SetProperty(x => x.LastError, lastError)
                .SetProperty(x => x.LeaseOwner, (string?)null)
                .SetProperty(x => x.LeaseUntil, (DateTimeOffset?)null), token);
            if (recorded == 0)
            {
                return false;
            }

            // This transaction now holds the rows (their lease is cleared, but no node can take them before the commit,
            // and then it sees the backoff): the rest reads what the UPDATE wrote.
            var deliveries = await db.Set<NotificationDelivery>().Include(d => d.Channel).Include(d => d.Event)
                .Where(d => deliveryIds.Contains(d.Id) && d.Status == DeliveryStatus.Failed && d.LeaseOwner == null).ToListAsync(token);
            var first = deliveries.OrderBy(d => d.EventSequence).First();
            var attempts = deliveries.Max(d => d.Attempts);
            var channel = first.Channel!;
            channel.FailingSince ??= now;
            if (now - channel.FailingSince >= settings.DisableAfter && channel.Enabled)
            {
                deliveries.ForEach(d => d.Status = DeliveryStatus.Dead);
                channel.Enabled = false;
                channel.DisabledReason = $"Disabled by the portal at {now:u}: deliveries failed since {channel.FailingSince:u}. Last error: {first.LastError}";
                if (channel.DisabledReason.Length > 400)
                {
                    channel.DisabledReason = channel.DisabledReason[..400];
                }

                var givenUp = deliveries.Count == 1 ? $"event {first.Event!.EventId}" : $"{deliveries.Count} events of a digest from event {first.Event!.EventId}";
                db.Add(AuditEntry.Create(now, Actor.System, AuditCategory.Notifications, AuditOperations.ChannelDisabled, $"Channel {channel.Name}",
                    AuditResult.Failed, $"Failing since {channel.FailingSince:u}; {givenUp} given up after {attempts} attempts"));
            }
            else
            {
                var next = now + Backoff(attempts, settings);
                deliveries.ForEach(d => d.NextAttemptAt = next);
            }

            await db.SaveChangesAsync(token);
            return true;
        }, ct);
    }

    // The deliveries while owner holds their lease and they are still open (a redelivered or given-up row is not recorded over).
    private static IQueryable<NotificationDelivery> Held(PortalDbContext db, IReadOnlyCollection<long> deliveryIds, string owner) =>
        db.Set<NotificationDelivery>().Where(d => deliveryIds.Contains(d.Id) && d.LeaseOwner == owner
            && (d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Failed));

    /// <summary>base × 2^(attempts−1), capped, ±20 % jitter so receivers that came back are not hit by every node at once.</summary>
    public static TimeSpan Backoff(int attempts, NotificationOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var exponent = Math.Min(Math.Max(attempts - 1, 0), 30);
        var ticks = Math.Min(settings.RetryBaseDelay.Ticks * Math.Pow(2, exponent), settings.RetryMaxDelay.Ticks);
        var jitter = 0.8 + (RandomNumberGenerator.GetInt32(0, 401) / 1000.0);
        return TimeSpan.FromTicks((long)(ticks * jitter));
    }
}
