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

    private static readonly KeyValuePair<string, object?> EnteredTag = new("outcome", "entered");
    private static readonly KeyValuePair<string, object?> TimedOutTag = new("outcome", "timeout");

    private static readonly ConcurrentDictionary<string, Gate> Gates = new(StringComparer.Ordinal);

    public static async Task<IAsyncDisposable?> EnterAsync(PortalDbContext db, CancellationToken ct)
    {
        if (db.Database.ProviderName != PortalDbContext.SqliteProviderName || db.Database.GetConnectionString() is not { } file)
        {
            return null;
        }

        var gate = Gates.GetOrAdd(file, static _ => new Gate());
        var asked = Stopwatch.GetTimestamp();
        bool entered;
        Interlocked.Increment(ref gate.Waiting);
        try
        {
            entered = await gate.Turns.WaitAsync(MaxQueueTime, ct);
        }
        finally
        {
            Interlocked.Decrement(ref gate.Waiting);
        }

        var now = Stopwatch.GetTimestamp();
        var turn = entered ? new Turn(gate, now) : null;
        // The turn exists before anything else runs: whatever a listener does, the turn is given back when it ends.
        PortalMetrics.SqliteWriterWait.Record(Stopwatch.GetElapsedTime(asked, now).TotalSeconds, entered ? EnteredTag : TimedOutTag);
        return turn;
    }

    /// <summary>A file's one writer turn, and how many units of work wait for it now.</summary>
    private sealed class Gate
    {
        public readonly SemaphoreSlim Turns = new(1, 1);
        public int Waiting;
    }

    /// <summary>
    /// A writer's turn. When it ends and another writer waits, the next one's continuation is queued on this thread
    /// (a thread-pool thread's own queue), behind whatever this thread does next (the rest of its request), while the
    /// file's one writer turn stands idle. So the ending writer yields: the thread runs the next writer at once, and
    /// the rest of this request goes on from the pool's shared queue. (Under a synchronization context, such as a
    /// Blazor circuit's, the yield goes to that context instead; harmless, and the admin pages write little.)
    /// </summary>
    private sealed class Turn(Gate gate, long entered) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            // Read before the release: once released, the next writer may already run (and stop counting as waiting)
            // on another thread.
            var another = Volatile.Read(ref gate.Waiting) > 0;
            try
            {
                gate.Turns.Release();
            }
            finally
            {
                PortalMetrics.SqliteWriterTurn.Record(Stopwatch.GetElapsedTime(entered).TotalSeconds);
            }

            if (another)
            {
                await Task.Yield();
            }
        }
    }
}
