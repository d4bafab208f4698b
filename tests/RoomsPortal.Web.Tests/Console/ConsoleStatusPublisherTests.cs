using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// The hub's publisher reads a request's status only when a console on this node watches the request: a redemption's
/// Pending event (nobody can know the request id yet) costs no query.
/// </summary>
public sealed class ConsoleStatusPublisherTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly RequestReads _queries = new();
    private readonly PortalFactory _portal;
    private readonly TestManufacturer _contoso = new();
    private PortalProvisioning _admin = default!;

    public ConsoleStatusPublisherTests()
    {
        _portal = new PortalFactory().UseRealPort().WithServices(services =>
            services.ConfigureDbContext<PortalDbContext>((_, options) => options.AddInterceptors(_queries)));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _contoso.RegisterAsync(_portal.Services, Ct);
        _admin = new PortalProvisioning(_portal.Services);
        await _admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task An_event_for_a_request_no_console_watches_is_not_read_and_a_watched_one_is()
    {
        var notifier = (InProcessProvisioningNotifier)_portal.Services.GetRequiredService<IProvisioningNotifier>();
        var key = DeviceInfo.KeyOf(_contoso.Make, _contoso.Model, "SN-PUB-1");
        var (console, requestId) = await RedeemedConsoleAsync("SN-PUB-1");
        await notifier.FlushAsync(Ct);

        // Redeemed, not yet watched: the console has the id, but no connection asked for it.
        var unwatched = await _queries.CountNamingAsync(requestId, () => PublishAndDeliverAsync(notifier, new ApprovalRequestChanged(requestId, null, ApprovalStatus.Pending, key)));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watching = new FirstStatus();
        var waiting = console.WaitForDecisionAsync(requestId, watching, stop.Token);
        await watching.Seen.WaitAsync(Patience, Ct);
        var watched = await _queries.CountNamingAsync(requestId, () => PublishAndDeliverAsync(notifier, new ApprovalRequestChanged(requestId, null, ApprovalStatus.Pending, key)));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        Assert.Equal(0, unwatched);
        Assert.True(watched > 0, "the publisher read the watched request's status");
    }

    [Fact]
    public async Task A_subscriber_that_blocks_does_not_delay_the_redemption_answer()
    {
        var notifier = _portal.Services.GetRequiredService<IProvisioningNotifier>();
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var blocking = notifier.Subscribe(async change =>
        {
            if (change is ApprovalRequestChanged)
            {
                heard.TrySetResult();
                await release.Task;
            }
        });

        // Answered over HTTP (Pending) while the subscriber that heard of it is still blocked.
        var (_, requestId) = await RedeemedConsoleAsync("SN-PUB-2");

        Assert.NotEqual(Guid.Empty, requestId);
        await heard.Task.WaitAsync(Patience, Ct);
        Assert.False(release.Task.IsCompleted);
        release.SetResult();
    }

    [Fact]
    public async Task A_decision_that_lands_between_Watch_reading_the_status_and_joining_the_group_still_reaches_the_console()
    {
        var notifier = (InProcessProvisioningNotifier)_portal.Services.GetRequiredService<IProvisioningNotifier>();
        var (console, requestId) = await RedeemedConsoleAsync("SN-PUB-3");
        await notifier.FlushAsync(Ct);
        // Watch's read sees Pending; before it goes on, the admin approves and the publisher has handled the event
        // (no connection watched the request yet, so it pushed nothing). Watch must not then answer that stale Pending.
        _queries.AfterNextRead(requestId, async () =>
        {
            await _admin.ApproveAsync(requestId, Ct);
            await notifier.FlushAsync(Ct);
        });

        var decided = await console.WaitForDecisionAsync(requestId, null, Ct).WaitAsync(Patience, Ct);

        Assert.Equal(SetupStatus.Approved, decided.Status);
    }

    private static async Task PublishAndDeliverAsync(InProcessProvisioningNotifier notifier, ProvisioningEvent change)
    {
        await notifier.PublishAsync(change);
        await notifier.FlushAsync(Ct);
    }

    private async Task<(ConsoleSetupClient Console, Guid RequestId)> RedeemedConsoleAsync(string serial)
    {
        var account = await _admin.CreateAccountAsync("room-pub@contoso.com", ct: Ct);
        var otp = await _admin.IssueOtpAsync(account, "room-pub@contoso.com", ct: Ct);
        var http = new HttpClient { BaseAddress = _portal.ServerAddress };
        var console = new ConsoleSetupClient(http, _contoso.Console(serial));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);
        Assert.Equal(SetupStatus.Pending, redeemed.Status);
        return (console, redeemed.RequestId);
    }

    private sealed class FirstStatus : IProgress<SetupStatusResponse>
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public void Report(SetupStatusResponse value) => _seen.TrySetResult();
    }
}
