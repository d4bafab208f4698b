using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RoomsPortal.Core.Diagnostics;

namespace RoomsPortal.Core.Tests.Support;

/// <summary>
/// Counts the portal's conflict measurements (<see cref="PortalMetrics"/>) made by this test's own calls: the test's
/// async flow carries the probe, so tests running beside it are not counted. Shows that a race reached its guard.
/// </summary>
public sealed class GuardProbe : IDisposable
{
    private static readonly AsyncLocal<GuardProbe?> Current = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public GuardProbe()
    {
        Current.Value = this;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PortalMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (!ReferenceEquals(Current.Value, this))
            {
                return;
            }

            var guard = string.Empty;
            foreach (var tag in tags)
            {
                if (tag.Key == "guard")
                {
                    guard = "/" + tag.Value;
                }
            }

            _counts.AddOrUpdate(instrument.Name + guard, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    /// <summary>The total of an instrument, with <c>/guard</c> appended when the measurement names its guard.</summary>
    public long Count(string key) => _counts.GetValueOrDefault(key);

    public override string ToString() => string.Join(", ", _counts.Select(c => $"{c.Key}={c.Value}"));

    public void Dispose()
    {
        Current.Value = null;
        _listener.Dispose();
    }
}

/// <summary>
/// Holds the first <paramref name="parties"/> commands whose SQL contains <paramref name="sqlFragment"/> until all of
/// them have arrived, so that many transactions are between their read and their write at once. For servers with
/// concurrent writers (PostgreSQL); on SQLite writers queue at BEGIN, so a gate there would only wait.
/// </summary>
public sealed class ArrivalGate(string sqlFragment, int parties) : DbCommandInterceptor
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;
    private volatile bool _armed;

    public int Arrived => Volatile.Read(ref _arrived);

    /// <summary>Starts holding commands; until then (while a test sets up its data) every command passes.</summary>
    public void Arm() => _armed = true;

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await ArriveAsync(command, cancellationToken);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await ArriveAsync(command, cancellationToken);
        return result;
    }

    private async Task ArriveAsync(DbCommand command, CancellationToken ct)
    {
        if (!_armed || !command.CommandText.Contains(sqlFragment, StringComparison.Ordinal))
        {
            return;
        }

        var arrived = Interlocked.Increment(ref _arrived);
        if (arrived > parties)
        {
            return;
        }

        if (arrived == parties)
        {
            _all.TrySetResult();
        }

        try
        {
            await _all.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
        }
        catch (TimeoutException)
        {
            // Not a TimeoutException: a retrying strategy would take that for a transient failure and try again.
            throw new InvalidOperationException($"Only {Arrived} of {parties} transactions reached \"{sqlFragment}\" together.");
        }
    }
}
