using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core.Devices;

public sealed record DailyCounts(DateOnly Day, int Redemptions, int Approvals, int Failures);

public sealed record DashboardFigures(
    int ReadyAccounts,
    int ActiveOtps,
    int PendingApprovals,
    int VerificationFailuresLast24Hours,
    IReadOnlyList<DailyCounts> LastDays);

/// <summary>The dashboard's figures, within the caller's scope.</summary>
public sealed class DashboardService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public const int Days = 14;

    public async Task<DashboardFigures> GetAsync(AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var since = new DateTimeOffset(today.AddDays(-(Days - 1)).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var accounts = ResourceAccountService.Scoped(db, scope);
        var ready = await accounts.CountAsync(a => a.Enabled && a.RoomGroupId != null && a.ProtectedPassword != null, ct);
        var activeOtps = await db.Set<OneTimePassword>()
            .Where(o => accounts.Any(a => a.Id == o.ResourceAccountId) && o.RedeemedAt == null && o.RevokedAt == null && o.ExpiresAt > now)
            .CountAsync(ct);
        var requests = db.Set<ApprovalRequest>().Where(r => accounts.Any(a => a.Id == r.ResourceAccountId));
        var pending = await requests.CountAsync(r => r.Status == ApprovalStatus.Pending && r.ExpiresAt > now, ct);
        var dayAgo = now.UtcDateTime.AddHours(-24);
        var verificationFailures = await db.Set<VerificationFailure>().CountAsync(f => f.OccurredAtUtc >= dayAgo, ct);

        var redeemed = await requests.Where(r => r.RequestedAt >= since).Select(r => r.RequestedAt).ToListAsync(ct);
        var approved = await requests.Where(r => r.Status == ApprovalStatus.Approved && r.DecidedAt >= since)
            .Select(r => r.DecidedAt!.Value).ToListAsync(ct);
        // Failures are counted per console, not per room group: they happen before an account is known.
        var failures = await db.Set<SetupFailure>().Where(f => f.OccurredAt >= since).Select(f => f.OccurredAt).ToListAsync(ct);
        var days = Enumerable.Range(0, Days).Select(i => today.AddDays(i - (Days - 1)))
            .Select(d => new DailyCounts(d, Count(redeemed, d), Count(approved, d), Count(failures, d)))
            .ToList();
        return new DashboardFigures(ready, activeOtps, pending, verificationFailures, days);
    }

    private static int Count(List<DateTimeOffset> times, DateOnly day) =>
        times.Count(t => DateOnly.FromDateTime(t.UtcDateTime) == day);
}
