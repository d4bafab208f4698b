using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Otps;

/// <summary>
/// What a new way of setting an account up (a new code, or manual setup) replaces: the account's outstanding code and
/// its earlier pending request. Runs inside the caller's unit of work; the events it returns are published by the
/// caller after the commit.
/// </summary>
internal static class Supersession
{
    /// <summary>
    /// Revokes every active code (unused, unrevoked, not expired) of the accounts, one audit entry each naming
    /// <paramref name="reason"/>. One conditional UPDATE per 500 codes (<c>WHERE RedeemedAt IS NULL AND RevokedAt IS
    /// NULL</c>), so a console redeeming one at the same moment either wins (its code stays redeemed) or finds it revoked;
    /// the codes this UPDATE revoked are then read back inside the same transaction (revoked at this batch's instant,
    /// not redeemed), so the audit names exactly them.
    /// </summary>
    public static async Task<List<ProvisioningEvent>> RevokeActiveCodesAsync(
        PortalDbContext db, IReadOnlyCollection<Guid> accountIds, Actor actor, string reason, DateTimeOffset now, CancellationToken ct)
    {
        var events = new List<ProvisioningEvent>();
        foreach (var chunk in accountIds.Chunk(500))
        {
            var active = await db.Set<OneTimePassword>().AsNoTracking()
                .Where(o => chunk.Contains(o.ResourceAccountId) && o.RedeemedAt == null && o.RevokedAt == null && o.ExpiresAt > now)
                .Select(o => new { o.Id, o.ResourceAccountId, o.ResourceAccount!.Upn, o.ResourceAccount.RoomGroupId, o.BatchId })
                .ToListAsync(ct);
            if (active.Count == 0)
            {
                continue;
            }

            var ids = active.Select(o => o.Id).ToList();
            await db.Set<OneTimePassword>()
                .Where(o => ids.Contains(o.Id) && o.RedeemedAt == null && o.RevokedAt == null)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.RevokedAt, now), ct);
            var revoked = (await db.Set<OneTimePassword>().AsNoTracking()
                .Where(o => ids.Contains(o.Id) && o.RedeemedAt == null && o.RevokedAt == now)
                .Select(o => o.Id)
                .ToListAsync(ct)).ToHashSet();
            foreach (var otp in active.Where(o => revoked.Contains(o.Id)))
            {
                db.Add(AuditEntry.Create(now, actor, AuditCategory.Otps, AuditOperations.OtpRevoked, otp.Upn,
                    details: $"OTP {otp.Id} of batch {otp.BatchId}; {reason}"));
                events.Add(new OtpChanged(otp.Id, otp.ResourceAccountId, otp.RoomGroupId, "Revoked"));
            }
        }

        return events;
    }

    /// <summary>
    /// Closes the accounts' pending requests (not yet expired) as <see cref="ApprovalStatus.Rejected"/> with
    /// <see cref="RejectReason.Superseded"/> and <paramref name="note"/>: the console that waits on one is told, through
    /// the <see cref="ApprovalRequestChanged"/> event, that a newer code or set-up replaced it. Guarded like a decision
    /// (<c>WHERE Status = Pending</c>): a decision taken at the same moment wins or loses whole.
    /// </summary>
    public static async Task<List<ProvisioningEvent>> SupersedePendingRequestsAsync(
        PortalDbContext db, IReadOnlyCollection<Guid> accountIds, Actor actor, string note, DateTimeOffset now, CancellationToken ct)
    {
        var events = new List<ProvisioningEvent>();
        foreach (var chunk in accountIds.Chunk(500))
        {
            var pending = await db.Set<ApprovalRequest>().AsNoTracking()
                .Where(r => chunk.Contains(r.ResourceAccountId) && r.Status == ApprovalStatus.Pending && r.ExpiresAt > now)
                .Select(r => new { r.Id, r.RoomGroupId, r.Serial, r.DeviceKey, r.ResourceAccount!.Upn })
                .ToListAsync(ct);
            foreach (var request in pending)
            {
                var closed = await db.Set<ApprovalRequest>()
                    .Where(r => r.Id == request.Id && r.Status == ApprovalStatus.Pending)
                    .ExecuteUpdateAsync(
                        r => r.SetProperty(x => x.Status, ApprovalStatus.Rejected)
                            .SetProperty(x => x.RejectReason, RejectReason.Superseded)
                            .SetProperty(x => x.RejectNote, note)
                            .SetProperty(x => x.DecidedAt, now)
                            .SetProperty(x => x.DecidedBy, actor.Id),
                        ct);
                if (closed == 0)
                {
                    continue;
                }

                await NotificationOutbox.AddRequestAsync(db, NotificationEventTypes.RequestDecided, request.Id, actor.DisplayName, now, ct);
                db.Add(AuditEntry.Create(now, actor, AuditCategory.Approvals, AuditOperations.RequestSuperseded, request.Upn,
                    details: $"Request {request.Id} of console {request.Serial} closed: {note}"));
                events.Add(new ApprovalRequestChanged(request.Id, request.RoomGroupId, ApprovalStatus.Rejected, request.DeviceKey));
            }
        }

        return events;
    }
}
