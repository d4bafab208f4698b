using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Routing;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Infrastructure.Telemetry;

/// <summary>
/// The web host's instruments (meter <see cref="MeterName"/>), made through <see cref="IMeterFactory"/> so each host
/// has its own: pushes to waiting consoles and how long they took, throttled console calls by route, the consoles
/// connected to the hub, and the open Blazor circuits. Tags name outcomes and routes, never a code, serial or account.
/// </summary>
public sealed class WebMetrics
{
    public const string MeterName = "RoomsPortal.Web";

    private readonly Counter<long> _pushes;
    private readonly Histogram<double> _pushDuration;
    private readonly Counter<long> _throttled;
    private readonly UpDownCounter<long> _circuits;

    public WebMetrics(IMeterFactory meters, ConsoleConnections connections)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(connections);
        var meter = meters.Create(MeterName);
        _pushes = meter.CreateCounter<long>("roomsportal.pushes", description: "Status pushes to waiting consoles, by status and result");
        _pushDuration = meter.CreateHistogram<double>(
            "roomsportal.push.duration", unit: "s", description: "From the event reaching the publisher to the push sent",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _throttled = meter.CreateCounter<long>("roomsportal.throttled", description: "Console calls answered 429, by route");
        _circuits = meter.CreateUpDownCounter<long>("roomsportal.circuits", description: "Open Blazor circuits (admin pages)");
        meter.CreateObservableGauge("roomsportal.consoles.waiting", () => connections.Count, description: "Consoles connected to the hub on this node");
    }

    public void Pushed(string status, bool sent, TimeSpan took)
    {
        var tags = new TagList { { "status", status }, { "result", sent ? "sent" : "failed" } };
        _pushes.Add(1, tags);
        _pushDuration.Record(took.TotalSeconds, tags);
    }

    public void Throttled(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        // The route's pattern, not the path: a path carries request ids.
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "other";
        _throttled.Add(1, new KeyValuePair<string, object?>("route", route));
    }

    internal void CircuitOpened() => _circuits.Add(1);

    internal void CircuitClosed() => _circuits.Add(-1);
}

/// <summary>Counts circuits as Blazor opens and closes them.</summary>
internal sealed class CircuitCounter(WebMetrics metrics) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
