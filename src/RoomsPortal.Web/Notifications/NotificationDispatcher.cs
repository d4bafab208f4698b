using Microsoft.Extensions.Options;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Notifications;

/// <summary>
/// Sends the outbox, on every node: takes the due head delivery of each channel by a lease (so two nodes never attempt
/// the same delivery, and a channel gets its events in order), sends it, records the outcome; failures come back after
/// an exponential backoff. Wakes as soon as a unit of work on this node commits outbox rows
/// (<see cref="NotificationOutboxSignal"/>), else every <see cref="NotificationOptions.PollInterval"/> (rows other nodes
/// wrote, retries that came due), and at once again when a delivery ends (the channel's next event may be waiting).
/// Channels do not wait for each other: each claimed delivery is sent and recorded on its own, so a slow receiver holds
/// back only its own channel. An email channel with a digest is taken whole
/// (<see cref="NotificationDispatchStore.ClaimDigestsAsync"/>) and sent as one message per person. Once an hour it
/// purges the outbox rows past <see cref="NotificationOptions.OutboxRetention"/>.
/// </summary>
public sealed partial class NotificationDispatcher(
    NotificationDispatchStore store,
    NotificationOutboxSignal signal,
    NotificationOutboxPurge purge,
    IEnumerable<INotificationSender> senders,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    private readonly Dictionary<NotificationChannelKind, INotificationSender> _senders = senders.ToDictionary(s => s.Kind);
    private readonly INotificationDigestSender? _digests = senders.OfType<INotificationDigestSender>().FirstOrDefault();

    /// <summary>This node's lease owner name: unique per process, so a restarted node does not inherit its old leases.</summary>
    public string NodeId { get; } = NewNodeId();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Each claimed delivery runs on its own (a lane per channel: a channel's head stays leased while it is sent, so a
        // claim meanwhile skips that channel). A channel's next event is claimed as soon as its last one is recorded,
        // whatever the other channels are doing: a slow receiver or SMTP server holds back its own channel only.
        var inFlight = new List<Task>();
        Task<bool>? wake = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (await purge.PurgeIfDueAsync(stoppingToken) is int purged and > 0)
                    {
                        LogPurged(logger, purged);
                    }

                    var due = await store.ClaimDueAsync(NodeId, stoppingToken);
                    var digests = await store.ClaimDigestsAsync(NodeId, stoppingToken);
                    inFlight.AddRange(due.Select(item => OnItsOwnAsync(token => SendAndRecordAsync(item, token), stoppingToken)));
                    inFlight.AddRange(digests.Select(digest => OnItsOwnAsync(token => DeliverDigestAsync(digest, token), stoppingToken)));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A database hiccup must not end the dispatcher; the leases it took run out and the next poll retries.
                    LogDispatchFailed(logger, ex);
                }

                // Claim again when a delivery ends (its channel's next event may be waiting), a commit here wrote
                // deliveries, or the poll interval passed (rows other nodes wrote, retries that came due).
                wake ??= signal.WaitAsync(options.Value.PollInterval, time, stoppingToken);
                await Task.WhenAny(inFlight.Append(wake));
                if (wake.IsCompleted)
                {
                    await wake;
                    wake = null;
                }

                inFlight.RemoveAll(delivery => delivery.IsCompleted);
            }
        }
        finally
        {
            // Deliveries under way end with the stopping token; an outcome not recorded is sent again after its lease.
            try
            {
                await Task.WhenAll(inFlight);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    // One delivery (or digest) sent and recorded beside the others; nothing it throws ends the dispatcher.
    private async Task OnItsOwnAsync(Func<CancellationToken, Task> deliver, CancellationToken ct)
    {
        try
        {
            await Task.Yield();
            await deliver(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Recording failed (the database): the lease runs out and a later claim sends it again.
            LogDispatchFailed(logger, ex);
        }
    }

    private async Task SendAndRecordAsync(DispatchItem item, CancellationToken ct)
    {
        SendOutcome outcome;
        try
        {
            outcome = _senders.TryGetValue(item.Kind, out var sender)
                ? await sender.SendAsync(item, ct)
                : SendOutcome.Failed(null, $"{item.Kind} channels are not configured on this node");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            outcome = SendOutcome.Failed(null, $"{ex.GetType().Name}: {ex.Message}");
        }

        if (outcome.Delivered)
        {
            await store.CompleteAsync(item.DeliveryId, NodeId, outcome.ResponseCode, ct);
            LogDelivered(logger, item.EventType, item.EventId, item.ChannelName, item.Attempts + 1);
        }
        else
        {
            await store.FailAsync(item.DeliveryId, NodeId, outcome.ResponseCode, outcome.Error ?? "failed", ct);
            LogFailed(logger, item.EventType, item.EventId, item.ChannelName, item.Attempts + 1, outcome.Error);
        }
    }

    // A digest is one attempt for all its deliveries: one message per person, and one outcome recorded for them all.
    private async Task DeliverDigestAsync(DispatchDigest digest, CancellationToken ct)
    {
        SendOutcome outcome;
        try
        {
            outcome = _digests is null
                ? SendOutcome.Failed(null, "Email digests are not configured on this node")
                : await _digests.SendDigestAsync(digest, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            outcome = SendOutcome.Failed(null, $"{ex.GetType().Name}: {ex.Message}");
        }

        if (outcome.Delivered)
        {
            await store.CompleteAsync(digest.DeliveryIds, NodeId, outcome.ResponseCode, ct);
            LogDigestDelivered(logger, digest.Items.Count, digest.ChannelName);
        }
        else
        {
            await store.FailAsync(digest.DeliveryIds, NodeId, outcome.ResponseCode, outcome.Error ?? "failed", ct);
            LogDigestFailed(logger, digest.Items.Count, digest.ChannelName, outcome.Error);
        }
    }

    private static string NewNodeId()
    {
        var id = $"{Guid.NewGuid():N}/{Environment.ProcessId}/{Environment.MachineName}";
        return id.Length > 100 ? id[..100] : id;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {EventType} {EventId} delivered to channel {Channel} (attempt {Attempt})")]
    private static partial void LogDelivered(ILogger logger, string eventType, Guid eventId, string channel, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {EventType} {EventId} to channel {Channel} failed (attempt {Attempt}): {Error}")]
    private static partial void LogFailed(ILogger logger, string eventType, Guid eventId, string channel, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Digest of {Events} notifications delivered to channel {Channel}")]
    private static partial void LogDigestDelivered(ILogger logger, int events, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Digest of {Events} notifications to channel {Channel} failed: {Error}")]
    private static partial void LogDigestFailed(ILogger logger, int events, string channel, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Events} notification events past the outbox retention, with their delivery log")]
    private static partial void LogPurged(ILogger logger, int events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification dispatch failed; retrying at the next poll")]
    private static partial void LogDispatchFailed(ILogger logger, Exception ex);
}
