using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Verification;
using RoomsPortal.Web.Api.Console;

namespace RoomsPortal.Web.Hubs;

/// <summary>
/// The console hub connections open on this node, with the credential each was opened with, so a connection does not
/// outlive its credential: <see cref="CloseEndedAsync"/> tells each connection whose credential expired or was
/// replaced (<c>CredentialExpired</c>) and closes it.
/// </summary>
public sealed partial class ConsoleConnections(
    DeviceVerificationService verification,
    IHubContext<ConsoleHub> hub,
    TimeProvider time,
    ILogger<ConsoleConnections> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _open = new(StringComparer.Ordinal);

    /// <summary>How many console connections this node holds.</summary>
    public int Count => _open.Count;

    /// <summary>
    /// Raised once a connection is held (and so swept). A client sees its connection start before the hub's
    /// <c>OnConnectedAsync</c> has run, so whoever must know the portal holds it waits on this.
    /// </summary>
    public event Action<string>? Opened;

    internal void Add(HubCallerContext context)
    {
        var user = context.User!;
        _open[context.ConnectionId] = new Entry(context, user.SessionId(), user.CredentialExpiresAt());
        Opened?.Invoke(context.ConnectionId);
    }

    internal void Remove(string connectionId) => _open.TryRemove(connectionId, out _);

    /// <summary>Closes every connection whose credential expired or was replaced; returns how many it closed.</summary>
    public async Task<int> CloseEndedAsync(CancellationToken ct)
    {
        var open = _open.Values.ToList();
        if (open.Count == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var expired = open.Where(e => e.ExpiresAt <= now).ToList();
        var rest = open.Except(expired).ToList();
        var live = await verification.LiveSessionsAsync([.. rest.Select(e => e.SessionId)], ct);
        var revoked = rest.Where(e => !live.Contains(e.SessionId)).ToList();
        foreach (var (entries, reason) in new[] { (expired, CredentialEndReason.Expired), (revoked, CredentialEndReason.Revoked) })
        {
            foreach (var entry in entries)
            {
                await CloseAsync(entry, reason, ct);
            }
        }

        return expired.Count + revoked.Count;
    }

    private async Task CloseAsync(Entry entry, CredentialEndReason reason, CancellationToken ct)
    {
        if (!_open.TryRemove(entry.Context.ConnectionId, out _))
        {
            return;
        }

        try
        {
            // Said first, then closed: the console knows to verify again rather than retry the same credential.
            await hub.Clients.Client(entry.Context.ConnectionId).SendAsync(ConsoleHubNames.CredentialExpired, new CredentialEndedMessage(reason), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The connection may be going away by itself; it is closed below either way.
            LogNotTold(logger, ex, entry.Context.ConnectionId);
        }

        entry.Context.Abort();
        LogClosed(logger, entry.Context.ConnectionId, reason);
    }

    private sealed record Entry(HubCallerContext Context, Guid SessionId, DateTimeOffset ExpiresAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed console hub connection {ConnectionId}: its credential {Reason}")]
    private static partial void LogClosed(ILogger logger, string connectionId, CredentialEndReason reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not tell console hub connection {ConnectionId} that its credential ended")]
    private static partial void LogNotTold(ILogger logger, Exception ex, string connectionId);
}

/// <summary>Every <see cref="Interval"/> (on <see cref="TimeProvider"/>), closes the console connections whose credential ended.</summary>
public sealed partial class ConsoleCredentialSweep(ConsoleConnections connections, TimeProvider time, ILogger<ConsoleCredentialSweep> logger) : BackgroundService
{
    /// <summary>How long a connection may outlive its credential at most (docs/console-protocol.md, section 5).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await connections.CloseEndedAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database hiccup must not end the sweep; the next tick tries again.
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing console connections with ended credentials failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
