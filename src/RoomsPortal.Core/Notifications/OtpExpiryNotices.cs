using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Notifications;

/// <summary>
/// Writes <c>otp.expiring</c> for codes still unused (not redeemed, not revoked) that run out within
/// <see cref="Lead"/>: once per code, whatever the number of portal nodes running the maintenance job, because the
/// event is written only by the unit of work whose conditional UPDATE (<c>WHERE ExpiryNotifiedAt IS NULL</c>) marked
/// the code.
/// </summary>
public sealed class OtpExpiryNotices(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public static readonly TimeSpan Lead = TimeSpan.FromHours(1);
    private const int BatchSize = 200;

    /// <summary>Writes the due notices; returns how many.</summary>
    public async Task<int> WriteDueAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var horizon = now + Lead;
        List<Guid> due;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            due = await db.Set<OneTimePassword>().AsNoTracking()
                .Where(o => o.ExpiryNotifiedAt == null && o.RedeemedAt == null && o.RevokedAt == null && o.ExpiresAt > now && o.ExpiresAt <= horizon)
                .OrderBy(o => o.ExpiresAt)
                .Select(o => o.Id)
                .Take(BatchSize)
                .ToListAsync(ct);
        }

        var written = 0;
        foreach (var id in due)
        {
            var done = await dbFactory.InTransactionAsync(async (db, token) =>
            {
                var marked = await db.Set<OneTimePassword>()
                    .Where(o => o.Id == id && o.ExpiryNotifiedAt == null && o.RedeemedAt == null && o.RevokedAt == null)
                    .ExecuteUpdateAsync(o => o.SetProperty(x => x.ExpiryNotifiedAt, now), token);
                if (marked == 0)
                {
                    return false;
                }

                var row = await db.Set<OneTimePassword>().AsNoTracking()
                    .Where(o => o.Id == id)
                    .Select(o => new { o.Id, o.ResourceAccountId, o.ResourceAccount!.Upn, o.ResourceAccount.DisplayName, o.ResourceAccount.RoomGroupId, o.ExpiresAt })
                    .FirstAsync(token);
                var groupName = row.RoomGroupId is { } groupId
                    ? await db.RoomGroups.AsNoTracking().Where(g => g.Id == groupId).Select(g => g.Name).FirstOrDefaultAsync(token)
                    : null;
                await NotificationOutbox.AddAsync(db, NotificationEventTypes.OtpExpiring, row.RoomGroupId, null,
                    new OtpExpirySummary(row.Id, row.ResourceAccountId, row.Upn, row.DisplayName, row.RoomGroupId, groupName, row.ExpiresAt),
                    now, token);
                await db.SaveChangesAsync(token);
                return true;
            }, ct);
            if (done)
            {
                written++;
            }
        }

        return written;
    }
}
