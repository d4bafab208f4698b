using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Web.Components.Shared;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components;

/// <summary>
/// The one mechanism of the live pages (<see cref="LivePage"/>): a burst re-reads once, events outside the caller's
/// scope or of no concern never reach the page, a prerender does not subscribe, and disposing ends the subscription.
/// </summary>
public sealed class LivePageTests : PortalComponentContext
{
    private static readonly Guid Mine = Guid.NewGuid();
    private static readonly Guid Theirs = Guid.NewGuid();

    private InProcessProvisioningNotifier Notifier => (InProcessProvisioningNotifier)Service<IProvisioningNotifier>();

    [Fact]
    public async Task A_burst_that_arrives_during_a_refresh_is_read_once_after_it()
    {
        var page = Render<Probe>();
        page.Instance.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A witness subscribed after the page: the dispatcher hands each event to the page's queue before the
        // witness's, so once the witness has the 11th the page's queue holds all ten of the burst. (Releasing the
        // refresh before that let the page drain 9 and then read the 10th alone.)
        var seen = 0;
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var witness = Notifier.Subscribe(_ =>
        {
            if (Interlocked.Increment(ref seen) == 11)
            {
                queued.TrySetResult();
            }
        });

        await Notifier.PublishAsync(Request(Mine));
        await page.Instance.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        for (var i = 0; i < 10; i++)
        {
            await Notifier.PublishAsync(Request(Mine));
        }

        await queued.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        page.Instance.Hold.SetResult();
        await Notifier.FlushAsync(Ct);

        Assert.Equal([1, 10], page.Instance.Refreshes);
        page.WaitForAssertion(() => Assert.Equal("2", page.Find("#refreshes").TextContent));
    }

    [Fact]
    public async Task Events_outside_the_scope_or_of_no_concern_do_not_refresh_the_page()
    {
        var page = Render<Probe>();

        await Notifier.PublishAsync(Request(Theirs));
        await Notifier.PublishAsync(new OtpChanged(Guid.NewGuid(), Guid.NewGuid(), Mine, "Revoked"));
        await Notifier.FlushAsync(Ct);

        Assert.Empty(page.Instance.Refreshes);
    }

    [Fact]
    public async Task A_prerender_does_not_subscribe_and_a_disposed_page_stops_listening()
    {
        Renderer.SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var prerendered = Render<Probe>();
        await Notifier.PublishAsync(Request(Mine));
        await Notifier.FlushAsync(Ct);
        Assert.Empty(prerendered.Instance.Refreshes);

        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var live = Render<Probe>().Instance;
        await DisposeComponentsAsync();
        await Notifier.PublishAsync(Request(Mine));
        await Notifier.FlushAsync(Ct);
        Assert.Empty(live.Refreshes);
    }

    private static ApprovalRequestChanged Request(Guid roomGroup) => new(Guid.NewGuid(), roomGroup, ApprovalStatus.Pending, "device");

    /// <summary>A live page of one room group that counts its refreshes and can be held inside one.</summary>
    private sealed class Probe : LivePage
    {
        public List<int> Refreshes { get; } = [];

        public TaskCompletionSource? Hold { get; set; }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override void OnInitialized()
        {
            base.OnInitialized();
            Scope = AccessScope.ForRoomGroups([Mine]);
        }

        protected override bool Concerns(ProvisioningEvent change) => change is ApprovalRequestChanged;

        protected override async Task RefreshAsync(IReadOnlyList<ProvisioningEvent> changes)
        {
            Refreshes.Add(changes.Count);
            Started.TrySetResult();
            if (Hold is { } hold)
            {
                await hold.Task;
            }
        }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "span");
            builder.AddAttribute(1, "id", "refreshes");
            builder.AddContent(2, Refreshes.Count);
            builder.CloseElement();
        }
    }
}
