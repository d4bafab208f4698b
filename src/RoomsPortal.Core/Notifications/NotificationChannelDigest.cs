using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Notifications;

/// <summary>A channel's digest interval changed: from, to, and how many waiting deliveries now fall due at <paramref name="DueAt"/>.</summary>
public sealed record DigestChange(int OldMinutes, int NewMinutes, int Replanned, DateTimeOffset DueAt);

public sealed partial class NotificationChannelService
{
    /// <summary>
    /// Sets an email channel's digest interval (<see cref="NotificationDigests.AllowedMinutes"/>). The channel's waiting
    /// deliveries (never attempted, held by no node) are re-planned to the end of the new window, or to now for 0, in
    /// the same unit of work as the change and its audit entry; deliveries being retried keep their backoff.
    /// </summary>
    public async Task<Result<DigestChange, ChannelError>> SetDigestAsync(Guid channelId, int digestMinutes, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!NotificationDigests.IsAllowed(digestMinutes))
        {
            return ChannelError.InvalidDigest;
        }

        var now = time.GetUtcNow();
        var dueAt = NotificationDigests.DueAt(digestMinutes, now);
        return await dbFactory.InTransactionAsync<Result<DigestChange, ChannelError>>(async (db, token) =>
        {
            var channel = await db.Set<NotificationChannel>().FirstOrDefaultAsync(c => c.Id == channelId, token);
            if (channel is null)
            {
                return ChannelError.NotFound;
            }

            if (channel.Kind != NotificationChannelKind.Email && digestMinutes != 0)
            {
                return ChannelError.InvalidDigest;
            }

            var old = channel.DigestMinutes;
            if (old == digestMinutes)
            {
                return new DigestChange(old, digestMinutes, 0, dueAt);
            }

            channel.DigestMinutes = digestMinutes;
            var replanned = await db.Set<NotificationDelivery>()
                .Where(d => d.ChannelId == channelId && d.Status == DeliveryStatus.Pending && d.Attempts == 0 && (d.LeaseUntil == null || d.LeaseUntil < now))
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.NextAttemptAt, dueAt), token);
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Notifications, AuditOperations.ChannelDigestChanged, $"Channel {channel.Name}",
                details: $"Digest changed from {old} to {digestMinutes} minutes by {actor.DisplayName}; {replanned} waiting deliveries now due at {dueAt:u}"));
            await db.SaveChangesAsync(token);
            return new DigestChange(old, digestMinutes, replanned, dueAt);
        }, ct);
    }
}
