using Microsoft.AspNetCore.SignalR;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Web.Api.Console;

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
    ILogger<ConsoleStatusPublisher> logger) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = notifier.Subscribe(PushAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private async Task PushAsync(ProvisioningEvent change)
    {
        if (change is not ApprovalRequestChanged request || !watched.IsWatched(request.RequestId))
        {
            return;
        }

        var status = await approvals.GetStatusForDeviceAsync(request.RequestId, request.DeviceKey);
        if (!status.Succeeded)
        {
            return;
        }

        var message = ConsoleStatus.ToResponse(status.Value!);
        await hub.Clients.Group(ConsoleHub.GroupFor(request.RequestId)).SendAsync(ConsoleHubNames.StatusChanged, message);
        LogPushed(logger, request.RequestId, message.Status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushed status {Status} of request {RequestId} to its console")]
    private static partial void LogPushed(ILogger logger, Guid requestId, SetupStatus status);
}
