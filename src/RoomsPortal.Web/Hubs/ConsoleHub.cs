using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Web.Api.Console;

namespace RoomsPortal.Web.Hubs;

/// <summary>
/// Pushes a console's request status as admins decide. Only device credentials connect, and a console joins a
/// request's group only after the database says the request is its own (same make, model and serial). Errors are
/// <see cref="ConsoleHubException"/>s whose message starts with a stable code (docs/console-protocol.md, section 5).
/// </summary>
[Authorize(Policy = ConsoleAuthentication.Policy)]
public sealed class ConsoleHub(ApprovalService approvals, ConsoleConnections connections, WatchedRequests watched) : Hub
{
    public static string GroupFor(Guid requestId) => "request:" + requestId.ToString("N");

    /// <summary>Subscribes to one of this console's requests and returns its current status.</summary>
    /// <param name="requestId">The request id from redemption, as a string (a GUID); anything else is <c>invalid_request</c>.</param>
    /// <remarks>
    /// The first read proves the request is this console's before the connection joins its group. A decision that
    /// lands between that read and the join is pushed to nobody (the publisher saw no watcher), so a status that was
    /// not final is read again once the connection is in the group: from then on every change is either in that read
    /// or pushed after it.
    /// </remarks>
    public async Task<SetupStatusResponse> Watch(string requestId)
    {
        var (id, status) = await OwnRequestAsync(requestId);
        watched.Add(Context.ConnectionId, id);
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(id), Context.ConnectionAborted);
        var response = ConsoleStatus.ToResponse(status);
        if (response.IsFinal)
        {
            return response;
        }

        try
        {
            return ConsoleStatus.ToResponse((await OwnRequestAsync(requestId)).Status);
        }
        catch
        {
            // The console is told Watch failed and will not Unwatch: the connection must not keep the request's pushes.
            watched.Remove(Context.ConnectionId, id);
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupFor(id), CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Stops this connection receiving one of this console's requests; the connection stays open for the next
    /// <see cref="Watch"/>. Refused as <see cref="Watch"/> is: a request that is not this console's is <c>request_not_found</c>.
    /// </summary>
    /// <remarks>
    /// A request this connection watches was proven the console's when <see cref="Watch"/> let it in, so leaving it
    /// reads nothing (<see cref="ConsoleHubFilter"/> skips its credential read too): consoles send Unwatch as they hang
    /// up, and the group is left even when the connection closes meanwhile. Only a request not watched here goes to the
    /// database, so that the answer for another console's request stays <c>request_not_found</c>.
    /// </remarks>
    /// <param name="requestId">The request id, as a string (a GUID).</param>
    public async Task Unwatch(string requestId)
    {
        if (Guid.TryParse(requestId, out var watchedId) && watched.Remove(Context.ConnectionId, watchedId))
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupFor(watchedId), CancellationToken.None);
            return;
        }

        var (id, _) = await OwnRequestAsync(requestId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupFor(id), Context.ConnectionAborted);
    }

    /// <summary>True when the call is an <see cref="Unwatch"/> of a request this connection watches (it reads nothing).</summary>
    internal static bool IsUnwatchOfWatched(HubInvocationContext invocation, WatchedRequests watched) =>
        invocation.HubMethodName == nameof(Unwatch)
        && invocation.HubMethodArguments is [string requestId]
        && Guid.TryParse(requestId, out var id)
        && watched.Watches(invocation.Context.ConnectionId, id);

    /// <summary>The request, when it is this console's (same make, model and serial); the database says so, not the caller.</summary>
    private async Task<(Guid Id, ConsoleRequestStatus Status)> OwnRequestAsync(string requestId)
    {
        if (!Guid.TryParse(requestId, out var id))
        {
            throw new ConsoleHubException(ConsoleErrorCodes.InvalidRequest, "requestId is not a request id (a GUID).");
        }

        var status = await approvals.GetStatusForDeviceAsync(id, Context.User!.DeviceKey(), Context.ConnectionAborted);
        if (!status.Succeeded)
        {
            // Names no other console's data: the same answer whether the request is another console's or does not exist.
            throw new ConsoleHubException(ConsoleErrorCodes.RequestNotFound, "no such request for this console.");
        }

        return (id, status.Value!);
    }

    public override Task OnConnectedAsync()
    {
        connections.Add(Context);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        watched.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>A refusal the console can act on; the client receives <c>{code}: {message}</c> exactly.</summary>
public sealed class ConsoleHubException(string code, string message) : HubException($"{code}: {message}")
{
    /// <summary>One of <see cref="ConsoleErrorCodes"/>.</summary>
    public string Code { get; } = code;
}
