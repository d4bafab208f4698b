using Microsoft.Extensions.Logging;
using RoomsPortal.Core.Approvals;

namespace RoomsPortal.Core.Notifications;

/// <summary>Something changed in provisioning; a hint to re-read, never the truth itself.</summary>
public abstract record ProvisioningEvent;

/// <summary>An approval request was created or changed state; DeviceKey is the identity of the console that redeemed (<see cref="Devices.DeviceInfo.KeyOf"/>).</summary>
public sealed record ApprovalRequestChanged(Guid RequestId, Guid? RoomGroupId, ApprovalStatus Status, string DeviceKey) : ProvisioningEvent;

/// <summary>OTPs of an account were generated, revoked or redeemed.</summary>
public sealed record OtpChanged(Guid OtpId, Guid ResourceAccountId, Guid? RoomGroupId, string Change) : ProvisioningEvent;

/// <summary>
/// Publishes provisioning events after commit. The in-process one serves Blazor circuits; a Redis-backed one can
/// replace it for several instances.
/// </summary>
public interface IProvisioningNotifier
{
    IDisposable Subscribe(Func<ProvisioningEvent, Task> handler);

    IDisposable Subscribe(Action<ProvisioningEvent> handler);

    Task PublishAsync(ProvisioningEvent change);
}

/// <summary>In-process fan-out. A failing subscriber is logged and skipped; the publisher never sees its error.</summary>
public sealed partial class InProcessProvisioningNotifier(ILogger<InProcessProvisioningNotifier> logger) : IProvisioningNotifier
{
    private readonly Lock _gate = new();
    private ImmutableHandlers _handlers = new([]);

    public IDisposable Subscribe(Func<ProvisioningEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = new([.. _handlers.Items, handler]);
        }

        return new Subscription(this, handler);
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

    public async Task PublishAsync(ProvisioningEvent change)
    {
        foreach (var handler in _handlers.Items)
        {
            try
            {
                await handler(change).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A subscriber's bug must not break the publisher or the other subscribers.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSubscriberFailed(logger, ex, change.GetType().Name);
            }
        }
    }

    private void Unsubscribe(Func<ProvisioningEvent, Task> handler)
    {
        lock (_gate)
        {
            _handlers = new([.. _handlers.Items.Where(h => h != handler)]);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A provisioning subscriber failed handling {EventType}")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, string eventType);

    private sealed record ImmutableHandlers(Func<ProvisioningEvent, Task>[] Items);

    private sealed class Subscription(InProcessProvisioningNotifier owner, Func<ProvisioningEvent, Task> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(handler);
            }
        }
    }
}
