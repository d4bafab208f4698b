using Microsoft.Extensions.Logging.Abstractions;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Notifications;

/// <summary>
/// Publishing only queues: subscribers run later, each in its own loop, so a blocked subscriber holds up neither the
/// publisher nor the others, and a page that re-reads gets a burst in one call.
/// </summary>
public sealed class NotifierDeliveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_blocked_subscriber_delays_neither_the_publisher_nor_the_other_subscribers()
    {
        using var notifier = new InProcessProvisioningNotifier(NullLogger<InProcessProvisioningNotifier>.Instance);
        var blockedEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var otherHeard = new TaskCompletionSource<ProvisioningEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var blocked = notifier.Subscribe(async _ =>
        {
            blockedEntered.TrySetResult();
            await release.Task;
        });
        using var other = notifier.Subscribe(e => otherHeard.TrySetResult(e));
        var change = Request();

        var publishing = notifier.PublishAsync(change);

        Assert.True(publishing.IsCompletedSuccessfully, "publishing queues the event and returns");
        await blockedEntered.Task.WaitAsync(Patience, Ct);
        Assert.Same(change, await otherHeard.Task.WaitAsync(Patience, Ct));
        Assert.False(release.Task.IsCompleted, "the other subscriber heard it while the first was still blocked");
        release.SetResult();
        await notifier.FlushAsync(Ct);
    }

    [Fact]
    public async Task A_burst_reaches_a_burst_subscriber_in_one_call_after_the_call_in_progress()
    {
        using var notifier = new InProcessProvisioningNotifier(NullLogger<InProcessProvisioningNotifier>.Instance);
        var calls = new List<IReadOnlyList<ProvisioningEvent>>();
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var page = notifier.SubscribeBursts(async events =>
        {
            calls.Add(events);
            firstEntered.TrySetResult();
            await release.Task;
        });
        // Subscribed after the page, so the dispatcher has queued each event for the page before the probe hears it.
        var probeHeard = 0;
        var probeHeardAll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var probe = notifier.Subscribe(_ =>
        {
            if (Interlocked.Increment(ref probeHeard) == 100)
            {
                probeHeardAll.TrySetResult();
            }
        });
        var burst = Enumerable.Range(0, 100).Select(_ => Request()).ToList();

        await notifier.PublishAsync(burst[0]);
        await firstEntered.Task.WaitAsync(Patience, Ct);
        foreach (var change in burst.Skip(1))
        {
            await notifier.PublishAsync(change);
        }

        await probeHeardAll.Task.WaitAsync(Patience, Ct);
        release.SetResult();
        await notifier.FlushAsync(Ct);

        Assert.Equal(2, calls.Count);
        Assert.Equal(burst, [.. calls[0], .. calls[1]]);
    }

    [Fact]
    public async Task A_subscriber_that_throws_keeps_its_subscription()
    {
        using var notifier = new InProcessProvisioningNotifier(NullLogger<InProcessProvisioningNotifier>.Instance);
        var heard = new List<ProvisioningEvent>();
        using var flaky = notifier.Subscribe(e =>
        {
            heard.Add(e);
            throw new InvalidOperationException("subscriber bug");
        });
        var (first, second) = (Request(), Request());

        await notifier.PublishAsync(first);
        await notifier.PublishAsync(second);
        await notifier.FlushAsync(Ct);

        Assert.Equal([first, second], heard);
    }

    [Fact]
    public async Task A_batch_of_500_codes_raises_one_event_naming_its_accounts()
    {
        await using var h = await CreateAsync();
        var group = await h.GroupAsync("Campus");
        var accounts = await h.AccountsAsync(group, [.. Enumerable.Range(0, 500).Select(i => $"room{i:D3}@contoso.com")]);
        await h.ClearEventsAsync();

        var batch = await h.GenerateAsync([.. accounts.Select(a => a.Id)]);
        await h.DeliveredAsync();

        var only = Assert.IsType<OtpBatchGenerated>(Assert.Single(h.Events));
        Assert.Equal(batch.BatchId, only.BatchId);
        Assert.Equal(accounts.Select(a => a.Id).Order(), only.ResourceAccountIds.Order());
        Assert.Equal([group.Id], only.RoomGroupIds);
    }

    private static ApprovalRequestChanged Request() => new(Guid.NewGuid(), null, ApprovalStatus.Pending, "SN-1");
}
