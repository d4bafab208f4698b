using Microsoft.AspNetCore.Components;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Components.Shared;

/// <summary>
/// The one mechanism for components that follow provisioning events (Dashboard, Resource Accounts, an account,
/// Approvals, one request, Devices, the pending-approvals badge). It subscribes on the interactive render only (the
/// instance a prerender makes is thrown away after its HTML) and before the component's first read, so no event falls
/// between that read and the subscription. Each burst of events (the notifier hands a subscriber everything queued
/// since its last call) is filtered to what <see cref="Scope"/> may see and what <see cref="Concerns"/> accepts, and
/// the component refreshes once for it on the circuit's dispatcher, then renders; a failed refresh goes to the error
/// boundary. The subscription ends with the component.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private IDisposable? _subscription;

    [Inject]
    private IProvisioningNotifier Notifier { get; set; } = default!;

    /// <summary>The caller's room groups: events outside them never reach the component. Set it before the first read.</summary>
    protected AccessScope Scope { get; set; } = AccessScope.ForRoomGroups([]);

    /// <summary>Subscribes; a component that overrides this calls it first.</summary>
    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _subscription ??= Notifier.SubscribeBursts(OnBurstAsync);
        }
    }

    /// <summary>Whether an event the caller may see changes what this component shows (all of them unless overridden).</summary>
    protected virtual bool Concerns(ProvisioningEvent change) => true;

    /// <summary>Reads again after a burst; <paramref name="changes"/> are the burst's events that concern the component.</summary>
    protected abstract Task RefreshAsync(IReadOnlyList<ProvisioningEvent> changes);

    private Task OnBurstAsync(IReadOnlyList<ProvisioningEvent> burst)
    {
        var changes = burst.Where(change => change.IsVisibleIn(Scope) && Concerns(change)).ToList();
        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }

        return InvokeAsync(async () =>
        {
            try
            {
                await RefreshAsync(changes);
                StateHasChanged();
            }
            catch (Exception ex)
            {
                await DispatchExceptionAsync(ex);
            }
        });
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _subscription?.Dispose();
            _subscription = null;
        }
    }
}
