using System.Diagnostics.Tracing;

namespace RoomsPortal.Bench;

/// <summary>
/// This process's garbage-collection pauses, from the runtime's own events (the execution engine suspended for a GC
/// until it restarts): the longest since the last <see cref="TakeLongest"/>. The runtime counts the total pause time
/// (<see cref="GC.GetTotalPauseDuration"/>) but not the longest, which is what a push's tail waits behind.
/// </summary>
internal sealed class GcPauses : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int SuspendBegin = 9; // GCSuspendEEBegin_V1
    private const int RestartEnd = 3; // GCRestartEEEnd_V1

    private readonly Lock _lock = new();
    private DateTime _suspendedAt;
    private double _longestMs;

    public static GcPauses Instance { get; } = new();

    /// <summary>The longest pause since the previous call, in milliseconds; starts the next interval.</summary>
    public double TakeLongest()
    {
        lock (_lock)
        {
            var longest = _longestMs;
            _longestMs = 0;
            return longest;
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        lock (_lock)
        {
            switch (eventData.EventId)
            {
                case SuspendBegin:
                    _suspendedAt = eventData.TimeStamp;
                    break;
                case RestartEnd when _suspendedAt != default:
                    _longestMs = Math.Max(_longestMs, (eventData.TimeStamp - _suspendedAt).TotalMilliseconds);
                    _suspendedAt = default;
                    break;
            }
        }
    }
}
