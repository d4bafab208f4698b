using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace RoomsPortal.Core.Persistence;

/// <summary>
/// One unit of work at a time per SQLite file, queued in the process. SQLite has one writer per file, and a unit of
/// work opens its transaction with <c>BEGIN IMMEDIATE</c>, so a second one waits for the first whatever happens. Left
/// to SQLite, it waits in the busy handler, which blocks its thread and sleeps in steps growing to 100 ms, so it
/// starts well after the lock is free. Queued here, it waits without a thread and starts as soon as the one before
/// commits. Other providers are not gated. Writes outside units of work still meet SQLite's handler, as before.
/// </summary>
internal static class SqliteWriters
{
    /// <summary>Past this, a writer goes on to SQLite's own wait rather than queue for ever (nesting would hang).</summary>
    private static readonly TimeSpan MaxQueueTime = TimeSpan.FromSeconds(5);

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public static async Task<IDisposable?> EnterAsync(PortalDbContext db, CancellationToken ct)
    {
        if (db.Database.ProviderName != PortalDbContext.SqliteProviderName || db.Database.GetConnectionString() is not { } file)
        {
            return null;
        }

        var gate = Gates.GetOrAdd(file, static _ => new SemaphoreSlim(1, 1));
        return await gate.WaitAsync(MaxQueueTime, ct) ? new Turn(gate) : null;
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
