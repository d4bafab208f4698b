using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Web.Api.Console;

namespace RoomsPortal.Web.Hubs;

/// <summary>
/// Pushes a console's request status as admins decide. Only device credentials connect, and a console joins a
/// request's group only after the database says the request is its own.
/// </summary>
[Authorize(Policy = ConsoleAuthentication.Policy)]
public sealed class ConsoleHub(ApprovalService approvals) : Hub
{
    public static string GroupFor(Guid requestId) => "request:" + requestId.ToString("N");

    /// <summary>Subscribes to one of this console's requests and returns its current status.</summary>
    public async Task<SetupStatusResponse> Watch(Guid requestId)
    {
        var serial = Context.User!.Device().SerialNumber;
        var status = await approvals.GetStatusForDeviceAsync(requestId, serial, Context.ConnectionAborted);
        if (!status.Succeeded)
        {
            // The message reaches the client (HubException); it names no other console's data.
            throw new HubException($"{ConsoleErrorCodes.RequestNotFound}: no such request for this console.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(requestId), Context.ConnectionAborted);
        return ConsoleStatus.ToResponse(status.Value!);
    }
}
