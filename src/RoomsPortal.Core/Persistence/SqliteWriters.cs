using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Diagnostics;

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

    public static async Task<IAsyncDisposable?> EnterAsync(PortalDbContext db, CancellationToken ct)
    {
        if (db.Database.ProviderName != PortalDbContext.SqliteProviderName || db.Database.GetConnectionString() is not { } file)
        {
            return null;
        }

        var gate = Gates.GetOrAdd(file, static _ => new SemaphoreSlim(1, 1));
        var asked = Stopwatch.GetTimestamp();
        if (!await gate.WaitAsync(MaxQueueTime, ct))
        {
            return null;
        }

        var entered = Stopwatch.GetTimestamp();
        PortalMetrics.SqliteWriterWait.Record(Stopwatch.GetElapsedTime(asked, entered).TotalSeconds);
        return new Turn(gate, entered);
    }

    /// <summary>
    /// A writer's turn. When it ends and the next writer was waiting, the next one's continuation sits in this thread's
    /// own work queue, behind whatever this thread does next (the rest of its request), while the file's one writer
    /// turn stands idle. So the ending writer yields its thread: the thread runs the next writer at once, and the rest
    /// of this request goes on when a thread is free.
    /// </summary>
    private sealed class Turn(SemaphoreSlim gate, long entered) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            PortalMetrics.SqliteWriterTurn.Record(Stopwatch.GetElapsedTime(entered).TotalSeconds);
            gate.Release();
            if (gate.CurrentCount == 0)
            {
                await Task.Yield();
            }
        }
    }
}
