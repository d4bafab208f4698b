using System.Collections.Concurrent;

namespace RoomsPortal.Web.Api.Console;

/// <summary>
/// A fixed-window budget per key (a device, a source address) with no timer: a key's window opens with its first
/// permit and a call after its end opens the next. The framework's partitioned limiters visited every partition every
/// 100 ms to replenish it; with a partition per console and per address that heartbeat was the largest single cost in
/// a CPU profile of consoles redeeming (6.6 %). Here a call touches only its own key, and windows that ended are
/// dropped by a sweep that runs at most once a window, on a call. A key asked about but never charged holds nothing.
/// Windows run on the monotonic timestamp (as the framework's limiters did): a wall-clock step stretches or cuts none.
/// </summary>
public sealed class WindowCounter
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly int _permits;
    private readonly long _windowTicks; // in TimeProvider timestamp units
    private readonly TimeProvider _time;
    private long _nextSweepTicks;

    public WindowCounter(int permits, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _permits = permits;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _windowTicks = (long)Math.Ceiling(window.TotalSeconds * _time.TimestampFrequency);
        _nextSweepTicks = Now + _windowTicks;
    }

    /// <summary>Keys with a window open or not yet swept (for tests and diagnostics).</summary>
    public int Count => _windows.Count;

    private long Now => _time.GetTimestamp();

    /// <summary>Whether <paramref name="key"/> has a permit left, without spending it; else how long until it has.</summary>
    public bool HasRoom(string key, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_windows.TryGetValue(key, out var window))
        {
            return true;
        }

        var now = Now;
        lock (window)
        {
            if (window.EndsTicks <= now || window.Used < _permits)
            {
                return true;
            }

            retryAfter = _time.GetElapsedTime(now, window.EndsTicks);
            return false;
        }
    }

    /// <summary>Spends one of <paramref name="key"/>'s permits; false (and how long until one is back) when none is left.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter) => TryTake(key, out retryAfter, out _);

    /// <summary>As <see cref="TryTake(string, out TimeSpan)"/>; <paramref name="taken"/> names the window the permit came from, for <see cref="GiveBack"/>.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter, out long taken)
    {
        var now = Now;
        SweepIfDue(now);
        while (true)
        {
            var window = _windows.GetOrAdd(key, static _ => new Window());
            lock (window)
            {
                if (window.Swept)
                {
                    // A sweep removed it between the lookup and the lock: take the key's new window.
                    continue;
                }

                if (window.EndsTicks <= now)
                {
                    (window.EndsTicks, window.Used) = (now + _windowTicks, 0);
                }

                taken = window.EndsTicks;
                if (window.Used < _permits)
                {
                    window.Used++;
                    retryAfter = TimeSpan.Zero;
                    return true;
                }

                retryAfter = _time.GetElapsedTime(now, window.EndsTicks);
                return false;
            }
        }
    }

    /// <summary>
    /// Gives back a permit just taken, when a second budget refused the same call: only to the window it came from
    /// (<paramref name="taken"/>), so a window that ended and opened again meanwhile is not given an extra one.
    /// </summary>
    public void GiveBack(string key, long taken)
    {
        if (_windows.TryGetValue(key, out var window))
        {
            lock (window)
            {
                if (!window.Swept && window.EndsTicks == taken && window.Used > 0)
                {
                    window.Used--;
                }
            }
        }
    }

    private void SweepIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextSweepTicks, now + _windowTicks, due) != due)
        {
            return;
        }

        foreach (var (key, window) in _windows)
        {
            lock (window)
            {
                if (window.EndsTicks > now)
                {
                    continue;
                }

                window.Swept = true;
                _windows.TryRemove(new KeyValuePair<string, Window>(key, window));
            }
        }
    }

    private sealed class Window
    {
        public long EndsTicks;
        public int Used;
        public bool Swept;
    }
}
