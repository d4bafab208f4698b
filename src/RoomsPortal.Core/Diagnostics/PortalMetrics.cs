using System.Diagnostics.Metrics;

namespace RoomsPortal.Core.Diagnostics;

/// <summary>
/// The portal's own instruments (System.Diagnostics.Metrics, no exporter dependency here). The conflict counters
/// show that the concurrency guards are reached: a race that never reaches them proves nothing.
/// </summary>
public static class PortalMetrics
{
    public const string MeterName = "RoomsPortal";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Redemptions that lost a race for the same code to another transaction (tag <c>guard</c>: which guard caught it).</summary>
    public static readonly Counter<long> RedemptionConflicts = Meter.CreateCounter<long>(
        "roomsportal.redemption.conflicts", description: "Redemptions turned away by a concurrency guard");

    /// <summary>Decisions that found the request already decided by a concurrent transaction.</summary>
    public static readonly Counter<long> DecisionConflicts = Meter.CreateCounter<long>(
        "roomsportal.decision.conflicts", description: "Decisions turned away because another decision committed first");

    /// <summary>Device inventory inserts that collided with a concurrent insert of the same device and were retried.</summary>
    public static readonly Counter<long> DeviceUpsertConflicts = Meter.CreateCounter<long>(
        "roomsportal.device.upsert_conflicts", description: "Device rows inserted concurrently and retried as updates");

    internal static KeyValuePair<string, object?> Guard(string name) => new("guard", name);
}
