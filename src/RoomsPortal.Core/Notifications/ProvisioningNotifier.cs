using RoomsPortal.Core.Approvals;

namespace RoomsPortal.Core.Notifications;

/// <summary>Something changed in provisioning; a hint to re-read, never the truth itself.</summary>
public abstract record ProvisioningEvent;

/// <summary>An approval request was created or changed state; DeviceKey is the identity of the console that redeemed (<see cref="Devices.DeviceInfo.KeyOf"/>).</summary>
public sealed record ApprovalRequestChanged(Guid RequestId, Guid? RoomGroupId, ApprovalStatus Status, string DeviceKey) : ProvisioningEvent;

/// <summary>OTPs of an account were generated, revoked or redeemed.</summary>
public sealed record OtpChanged(Guid OtpId, Guid ResourceAccountId, Guid? RoomGroupId, string Change) : ProvisioningEvent;

/// <summary>
/// A batch of OTPs was generated: one event for the whole batch (the accounts' earlier codes it revoked included), so
/// a batch of 10,000 codes is one hint, not 10,000. <paramref name="RoomGroupIds"/> are the distinct room groups of
/// <paramref name="ResourceAccountIds"/>.
/// </summary>
public sealed record OtpBatchGenerated(Guid BatchId, IReadOnlyList<Guid> ResourceAccountIds, IReadOnlyList<Guid> RoomGroupIds) : ProvisioningEvent
{
    public override string ToString() => $"OtpBatchGenerated {{ BatchId = {BatchId}, Accounts = {ResourceAccountIds.Count} }}";
}

/// <summary>
/// Publishes provisioning events after commit. Publishing never waits for subscribers: events are queued and each
/// subscriber is called later, off the publisher's path. The in-process one serves Blazor circuits; a Redis-backed one
/// can replace it for several instances.
/// </summary>
public interface IProvisioningNotifier
{
    /// <summary>Calls <paramref name="handler"/> once per event, in publishing order, one call at a time.</summary>
    IDisposable Subscribe(Func<ProvisioningEvent, Task> handler);

    /// <inheritdoc cref="Subscribe(Func{ProvisioningEvent, Task})"/>
    IDisposable Subscribe(Action<ProvisioningEvent> handler);

    /// <summary>
    /// Calls <paramref name="handler"/> with every event queued for it since its last call, in publishing order, one
    /// call at a time: a burst that arrives while the handler runs is handed over whole in the next call. For pages that
    /// re-read on any relevant event, so they re-read once per burst, not once per event.
    /// </summary>
    IDisposable SubscribeBursts(Func<IReadOnlyList<ProvisioningEvent>, Task> handler);

    /// <summary>Queues the event for every subscriber and returns; it waits only while the queue is full.</summary>
    Task PublishAsync(ProvisioningEvent change);
}

/// <summary>What a page needs to know of an event to decide whether to re-read.</summary>
public static class ProvisioningEventScope
{
    /// <summary>Whether the event concerns a room group the scope allows (an OTP batch: any of its groups).</summary>
    public static bool IsVisibleIn(this ProvisioningEvent change, Common.AccessScope scope)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(scope);
        return change switch
        {
            ApprovalRequestChanged request => scope.Allows(request.RoomGroupId),
            OtpChanged otp => scope.Allows(otp.RoomGroupId),
            OtpBatchGenerated batch => batch.RoomGroupIds.Any(g => scope.Allows(g)),
            _ => false,
        };
    }
}
