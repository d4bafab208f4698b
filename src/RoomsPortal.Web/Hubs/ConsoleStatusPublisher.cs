using Microsoft.AspNetCore.SignalR;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Web.Api.Console;
using RoomsPortal.Web.Infrastructure.Telemetry;

namespace RoomsPortal.Web.Hubs;

/// <summary>
/// Turns Core's request events into pushes to the console that owns the request. It re-reads the status from the
/// database, so the push carries the truth, not the event's guess, but only for a request a console on this node
/// watches (<see cref="WatchedRequests"/>): most events (a redemption's Pending, decisions on requests whose console
/// left) have no listener, and reading for them cost a query each. The password never travels on the hub: the
/// console fetches it once over HTTPS (docs/console-protocol.md, section 6).
/// </summary>
public sealed partial class ConsoleStatusPublisher(
    IProvisioningNotifier notifier,
    ApprovalService approvals,
    IHubContext<ConsoleHub> hub,
    WatchedRequests watched,
    WebMetrics metrics,
    TimeProvider time,
    ILogger<ConsoleStatusPublisher> logger) : IHostedService
{
    private IDisposable? _subscription;

    /// <summary>Pushes for different requests at once; each push is one short read and one send.</summary>
    public const int ConcurrentPushes = 8;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = notifier.SubscribeBursts(PushAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private Task PushAsync(IReadOnlyList<ProvisioningEvent> changes)
    {
        // A burst may name one request twice (redeemed, then approved): the push re-reads the truth, so once is enough.
        var requests = changes.OfType<ApprovalRequestChanged>()
            .Where(r => watched.IsWatched(r.RequestId))
            .DistinctBy(r => r.RequestId)
            .ToList();
        return requests.Count switch
        {
            0 => Task.CompletedTask,
            1 => PushOneAsync(requests[0], CancellationToken.None).AsTask(),
            _ => Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentPushes }, PushOneAsync),
        };
    }

    private async ValueTask PushOneAsync(ApprovalRequestChanged request, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var status = "unknown";
        try
        {
            var current = await approvals.GetStatusForDeviceAsync(request.RequestId, request.DeviceKey, ct);
            if (!current.Succeeded)
            {
                return;
            }

            var message = ConsoleStatus.ToResponse(current.Value!);
            status = message.Status.ToString();
            await hub.Clients.Group(ConsoleHub.GroupFor(request.RequestId)).SendAsync(ConsoleHubNames.StatusChanged, message, ct);
            metrics.Pushed(status, sent: true, time.GetElapsedTime(started));
            LogPushed(logger, request.RequestId, message.Status);
        }
#pragma warning disable CA1031 // One failed push must not stop the others in the burst; the console reads again on reconnect.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            metrics.Pushed(status, sent: false, time.GetElapsedTime(started));
            LogPushFailed(logger, ex, request.RequestId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pushed status {Status} of request {RequestId} to its console")]
    private static partial void LogPushed(ILogger logger, Guid requestId, SetupStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push the status of request {RequestId}; its console reads it on its next connection")]
    private static partial void LogPushFailed(ILogger logger, Exception exception, Guid requestId);
}
