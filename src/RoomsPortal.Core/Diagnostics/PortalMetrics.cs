using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RoomsPortal.Core.Diagnostics;

/// <summary>
/// The portal's own instruments and spans (System.Diagnostics, no exporter dependency here; the web host exports them
/// by OpenTelemetry). Tags carry outcomes only, never a code, a serial or an account. The conflict counters show that
/// the concurrency guards are reached: a race that never reaches them proves nothing.
/// </summary>
public static class PortalMetrics
{
    public const string MeterName = "RoomsPortal";

    /// <summary>The name of the <see cref="ActivitySource"/> of the console path's spans.</summary>
    public const string SourceName = "RoomsPortal";

    /// <summary>
    /// <see cref="SqliteWriterWait"/>'s name. A listener matches instruments by meter and name, not by reference: the
    /// instruments are published while this class's fields are still being set.
    /// </summary>
    public const string SqliteWriterWaitName = "roomsportal.sqlite.writer.wait";

    /// <summary><see cref="SqliteWriterTurn"/>'s name (match by name, as for <see cref="SqliteWriterWaitName"/>).</summary>
    public const string SqliteWriterTurnName = "roomsportal.sqlite.writer.turn";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Spans of the console path and the decisions: "Verify device", "Redeem OTP", "Approve request", "Reject request".</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>OTP redemptions by outcome (<c>approved</c>, <c>pending</c>, or the refusal, e.g. <c>UnknownCode</c>).</summary>
    public static readonly Counter<long> Redemptions = Meter.CreateCounter<long>(
        "roomsportal.redemptions", description: "OTP redemptions by outcome");

    /// <summary>Admin decisions taken, by <c>decision</c> (<c>approved</c>, <c>rejected</c>).</summary>
    public static readonly Counter<long> Decisions = Meter.CreateCounter<long>(
        "roomsportal.decisions", description: "Approval decisions taken");

    /// <summary>Device verifications by outcome (<c>verified</c> or the failure reason).</summary>
    public static readonly Counter<long> Verifications = Meter.CreateCounter<long>(
        "roomsportal.verifications", description: "Device verifications by outcome");

    /// <summary>Console calls refused because the console is locked out after wrong codes or passwords.</summary>
    public static readonly Counter<long> LockedOutCalls = Meter.CreateCounter<long>(
        "roomsportal.lockout.refusals", description: "Console calls refused by the device lockout");

    /// <summary>Redemptions that lost a race for the same code to another transaction (tag <c>guard</c>: which guard caught it).</summary>
    public static readonly Counter<long> RedemptionConflicts = Meter.CreateCounter<long>(
        "roomsportal.redemption.conflicts", description: "Redemptions turned away by a concurrency guard");

    /// <summary>Decisions that found the request already decided by a concurrent transaction.</summary>
    public static readonly Counter<long> DecisionConflicts = Meter.CreateCounter<long>(
        "roomsportal.decision.conflicts", description: "Decisions turned away because another decision committed first");

    /// <summary>Device inventory inserts that collided with a concurrent insert of the same device and were retried.</summary>
    public static readonly Counter<long> DeviceUpsertConflicts = Meter.CreateCounter<long>(
        "roomsportal.device.upsert_conflicts", description: "Device rows inserted concurrently and retried as updates");

    /// <summary>
    /// How long a unit of work on a SQLite file waited for the file's one writer turn (<c>SqliteWriters</c>), in seconds,
    /// tagged <c>outcome</c>: <c>entered</c>, or <c>timeout</c> when it gave up queueing after 5 s and went on to
    /// SQLite's own busy wait. Recorded on SQLite only.
    /// </summary>
    public static readonly Histogram<double> SqliteWriterWait = Meter.CreateHistogram<double>(
        SqliteWriterWaitName, unit: "s", description: "Time a unit of work waited for the SQLite file's writer turn",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>
    /// How long a unit of work held the SQLite file's writer turn (its transaction, reads and writes, and commit), in
    /// seconds. Their sum over an interval is how busy the one writer was: near the interval itself, the file is the
    /// limit (docs/scale-out.md). The hand-over from one writer to the next counts as the next one's wait, not as a
    /// turn, so a file that is the limit can read somewhat below the whole interval. Recorded on SQLite only.
    /// </summary>
    public static readonly Histogram<double> SqliteWriterTurn = Meter.CreateHistogram<double>(
        SqliteWriterTurnName, unit: "s", description: "Time a unit of work held the SQLite file's writer turn",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 5, 10] });

    internal static KeyValuePair<string, object?> Guard(string name) => new("guard", name);

    internal static KeyValuePair<string, object?> Outcome(string name) => new("outcome", name);

    /// <summary>Counts an outcome and tags the current span with it.</summary>
    internal static void Record(Counter<long> counter, Activity? span, string tag, string value)
    {
        counter.Add(1, new KeyValuePair<string, object?>(tag, value));
        span?.SetTag("roomsportal." + tag, value);
    }
}
