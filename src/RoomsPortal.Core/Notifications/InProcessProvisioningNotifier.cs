using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace RoomsPortal.Core.Notifications;

/// <summary>
/// In-process fan-out off the request path. <see cref="PublishAsync"/> writes to a bounded inbox and returns; one
/// dispatcher moves each event into every subscriber's own bounded queue, and each subscriber drains its queue in its
/// own loop. So a slow or throwing subscriber delays nobody but itself: not the request that published, not the other
/// subscribers. A failing subscriber is logged and keeps its subscription. A subscriber that falls more than
/// <see cref="SubscriberCapacity"/> events behind loses the oldest (events are hints; the database is the truth).
/// </summary>
public sealed partial class InProcessProvisioningNotifier : IProvisioningNotifier, IDisposable
{
    /// <summary>Events waiting for the dispatcher; a publisher waits only while this many are queued.</summary>
    public const int InboxCapacity = 10_000;

    /// <summary>Events one subscriber may have waiting before the oldest are dropped.</summary>
    public const int SubscriberCapacity = 10_000;

    private readonly ILogger<InProcessProvisioningNotifier> _logger;
    private readonly Channel<Delivery> _inbox = Channel.CreateBounded<Delivery>(
        new BoundedChannelOptions(InboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Lock _gate = new();
    private Subscription[] _subscribers = [];

    public InProcessProvisioningNotifier(ILogger<InProcessProvisioningNotifier> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        // The loops must not carry the creator's ambient state (a circuit's, a request's) into every delivery.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(DispatchAsync);
        }
    }

    public IDisposable Subscribe(Func<ProvisioningEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(async events =>
        {
            foreach (var change in events)
            {
                await Guarded(() => handler(change), change).ConfigureAwait(false);
            }
        });
    }

    public IDisposable Subscribe(Action<ProvisioningEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe(e =>
        {
            handler(e);
            return Task.CompletedTask;
        });
    }

    public IDisposable SubscribeBursts(Func<IReadOnlyList<ProvisioningEvent>, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(events => Guarded(() => handler(events), events[0]));
    }

    public Task PublishAsync(ProvisioningEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var delivery = new Delivery(change, null);
        return _inbox.Writer.TryWrite(delivery) ? Task.CompletedTask : _inbox.Writer.WriteAsync(delivery).AsTask();
    }

    /// <summary>
    /// Completes when every subscriber has handled (or dropped) every event published before the call: for tests and
    /// shutdown, which need to know delivery is over, never for the request path.
    /// </summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var flushed = new FlushMarker();
        await _inbox.Writer.WriteAsync(new Delivery(null, flushed), ct).ConfigureAwait(false);
        await flushed.Done.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _inbox.Writer.TryComplete();
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Dispose();
        }
    }

    private Subscription Add(Func<IReadOnlyList<ProvisioningEvent>, Task> deliver)
    {
        var subscription = new Subscription(this, deliver);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(subscription.RunAsync);
        }

        return subscription;
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscription)];
        }
    }

    private async Task DispatchAsync()
    {
        await foreach (var delivery in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var subscribers = Volatile.Read(ref _subscribers);
            delivery.Flush?.Expect(subscribers.Length);
            foreach (var subscriber in subscribers)
            {
                subscriber.Enqueue(delivery);
            }
        }
    }

    private async Task Guarded(Func<Task> call, ProvisioningEvent first)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop its loop or reach anyone else.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSubscriberFailed(_logger, ex, first.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A provisioning subscriber failed handling {EventType}")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A provisioning subscriber fell {Capacity} events behind; its oldest event was dropped")]
    private static partial void LogDropped(ILogger logger, int capacity);

    /// <summary>An event, or a flush marker that completes once every subscriber has reached it.</summary>
    private sealed record Delivery(ProvisioningEvent? Event, FlushMarker? Flush);

    private sealed class FlushMarker
    {
        private int _waiting = int.MaxValue;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Expect(int subscribers)
        {
            Volatile.Write(ref _waiting, subscribers);
            if (subscribers == 0)
            {
                Done.TrySetResult();
            }
        }

        public void Reached()
        {
            if (Interlocked.Decrement(ref _waiting) == 0)
            {
                Done.TrySetResult();
            }
        }
    }

    private sealed class Subscription : IDisposable
    {
        private readonly InProcessProvisioningNotifier _owner;
        private readonly Func<IReadOnlyList<ProvisioningEvent>, Task> _deliver;
        private readonly Channel<Delivery> _queue;
        private int _disposed;

        public Subscription(InProcessProvisioningNotifier owner, Func<IReadOnlyList<ProvisioningEvent>, Task> deliver)
        {
            _owner = owner;
            _deliver = deliver;
            _queue = Channel.CreateBounded<Delivery>(
                new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
                Dropped);
        }

        public void Enqueue(Delivery delivery)
        {
            if (!_queue.Writer.TryWrite(delivery))
            {
                // Disposed meanwhile: nobody will read it, so a flush must not wait for it.
                delivery.Flush?.Reached();
            }
        }

        public async Task RunAsync()
        {
            var events = new List<ProvisioningEvent>();
            var flushes = new List<FlushMarker>();
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var delivery))
                {
                    if (delivery.Event is { } change)
                    {
                        events.Add(change);
                    }
                    else
                    {
                        flushes.Add(delivery.Flush!);
                    }
                }

                if (events.Count > 0 && Volatile.Read(ref _disposed) == 0)
                {
                    await _deliver([.. events]).ConfigureAwait(false);
                }

                events.Clear();
                flushes.ForEach(f => f.Reached());
                flushes.Clear();
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Remove(this);
                _queue.Writer.TryComplete();
                // Markers already queued are reached by the loop as it drains what is left.
            }
        }

        private void Dropped(Delivery delivery)
        {
            if (delivery.Flush is { } flush)
            {
                flush.Reached();
            }
            else
            {
                LogDropped(_owner._logger, SubscriberCapacity);
            }
        }
    }
}
