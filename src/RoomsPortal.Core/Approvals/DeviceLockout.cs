using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Approvals;

/// <summary>
/// The per-console guess limit: <see cref="MaxFailures"/> failed redemptions or manual sign-ins within
/// <see cref="Window"/> lock the console (make, model and serial: <see cref="Devices.DeviceInfo.KeyOf"/>) out for
/// <see cref="LockoutDuration"/> after the last of them. A refused attempt does not count, so the end of a lockout
/// never moves: the Retry-After of the first refused try is the real one.
/// </summary>
public static class DeviceLockout
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    // Every redemption asks first (compiled once: the console path does not rebuild its expression per call).
    private static readonly Func<PortalDbContext, string, DateTimeOffset, IAsyncEnumerable<DateTimeOffset>> FailureTimesQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string deviceKey, DateTimeOffset since) => db.Set<SetupFailure>().AsNoTracking()
            .Where(f => f.DeviceKey == deviceKey && f.OccurredAt > since)
            .OrderBy(f => f.OccurredAt)
            .Select(f => f.OccurredAt));

    /// <summary>The console's failures within the window before <paramref name="now"/> (saved ones only).</summary>
    internal static Task<int> FailuresInWindowAsync(PortalDbContext db, string deviceKey, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - Window;
        return db.Set<SetupFailure>().AsNoTracking().CountAsync(f => f.DeviceKey == deviceKey && f.OccurredAt > since, ct);
    }

    /// <summary>When the console's lockout ends, or null when it is not locked out at <paramref name="now"/>.</summary>
    internal static async Task<DateTimeOffset?> LockedOutUntilAsync(PortalDbContext db, string deviceKey, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - Window - LockoutDuration;
        var times = await FailureTimesQuery(db, deviceKey, since).ToListAsync(ct);
        DateTimeOffset? until = null;
        for (var i = MaxFailures - 1; i < times.Count; i++)
        {
            if (times[i] - times[i - MaxFailures + 1] < Window)
            {
                var end = times[i] + LockoutDuration;
                if (end > now && (until is null || end > until))
                {
                    until = end;
                }
            }
        }

        return until;
    }
}
