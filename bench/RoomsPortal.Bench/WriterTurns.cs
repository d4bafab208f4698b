using System.Diagnostics.Metrics;
using System.Globalization;
using RoomsPortal.Core.Diagnostics;

namespace RoomsPortal.Bench;

/// <summary>
/// The SQLite file's writer turns taken by the portal's units of work since the host started: how many, the time they
/// held the turn and the time they waited for it (<see cref="PortalMetrics.SqliteWriterTurn"/> and
/// <see cref="PortalMetrics.SqliteWriterWait"/>, the instruments an operator scrapes). Between two readings, the held
/// time over the interval is how busy the one writer was: near 100 %, the file and not the machine set the rate.
/// </summary>
internal sealed record WriterFigures(long Turns, double TurnSeconds, double WaitSeconds)
{
    /// <summary>The host's answer to <c>writers</c>: <c>writers turns turnSeconds waitSeconds</c>.</summary>
    public string ToAnswer() => string.Create(CultureInfo.InvariantCulture, $"writers {Turns} {TurnSeconds:R} {WaitSeconds:R}");

    public static WriterFigures Parse(string answer)
    {
        var parts = answer.Split(' ');
        if (parts.Length != 4 || parts[0] != "writers")
        {
            throw new InvalidOperationException($"The portal answered '{answer}' to writers.");
        }

        return new WriterFigures(
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            double.Parse(parts[2], CultureInfo.InvariantCulture),
            double.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    public static WriterFigures operator -(WriterFigures after, WriterFigures before) =>
        new(after.Turns - before.Turns, after.TurnSeconds - before.TurnSeconds, after.WaitSeconds - before.WaitSeconds);

    /// <summary>One report row for an interval of <paramref name="seconds"/> in which <paramref name="consoles"/> consoles were served.</summary>
    public string Describe(double seconds, int consoles) => Turns == 0
        ? "none (only a SQLite file has one writer)"
        : string.Create(CultureInfo.InvariantCulture,
            $"busy {TurnSeconds / seconds * 100:0} % of the time; {Turns} turns, {(double)Turns / Math.Max(1, consoles):0.0} a console, {TurnSeconds * 1000 / Turns:0.00} ms each, {WaitSeconds * 1000 / Turns:0.0} ms waited on average");
}

/// <summary>Listens to the two instruments in the host process, where the portal runs.</summary>
internal sealed class WriterTurns : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private long _turns;
    private double _turnSeconds;
    private double _waitSeconds;

    public WriterTurns()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // By name: the instruments are published while PortalMetrics' fields are still being set.
            if (instrument.Meter.Name == PortalMetrics.MeterName && instrument.Name is PortalMetrics.SqliteWriterTurnName or PortalMetrics.SqliteWriterWaitName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (_lock)
            {
                if (instrument.Name == PortalMetrics.SqliteWriterTurnName)
                {
                    _turns++;
                    _turnSeconds += value;
                }
                else
                {
                    _waitSeconds += value;
                }
            }
        });
        _listener.Start();
    }

    public WriterFigures Read()
    {
        lock (_lock)
        {
            return new WriterFigures(_turns, _turnSeconds, _waitSeconds);
        }
    }

    public void Dispose() => _listener.Dispose();
}
