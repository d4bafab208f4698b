using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// The hub's publisher reads a request's status only when a console on this node watches the request: a redemption's
/// Pending event (nobody can know the request id yet) costs no query.
/// </summary>
public sealed class ConsoleStatusPublisherTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly QueriesInFlow _queries = new();
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
        var notifier = _portal.Services.GetRequiredService<IProvisioningNotifier>();
        var key = DeviceInfo.KeyOf(_contoso.Make, _contoso.Model, "SN-PUB-1");
        var (console, requestId) = await RedeemedConsoleAsync("SN-PUB-1");

        // Redeemed, not yet watched: the console has the id, but no connection asked for it.
        var unwatched = await _queries.CountAsync(() => notifier.PublishAsync(new ApprovalRequestChanged(requestId, null, ApprovalStatus.Pending, key)));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watching = new FirstStatus();
        var waiting = console.WaitForDecisionAsync(requestId, watching, stop.Token);
        await watching.Seen.WaitAsync(Patience, Ct);
        var watched = await _queries.CountAsync(() => notifier.PublishAsync(new ApprovalRequestChanged(requestId, null, ApprovalStatus.Pending, key)));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        Assert.Equal(0, unwatched);
        Assert.True(watched > 0, "the publisher read the watched request's status");
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

    /// <summary>Counts the commands run in the async flow of one call (publishing runs its subscribers in the publisher's flow).</summary>
    private sealed class QueriesInFlow : DbCommandInterceptor
    {
        private readonly AsyncLocal<StrongBoxCounter?> _current = new();

        public async Task<int> CountAsync(Func<Task> action)
        {
            var counter = new StrongBoxCounter();
            _current.Value = counter;
            try
            {
                await action();
            }
            finally
            {
                _current.Value = null;
            }

            return counter.Count;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (_current.Value is { } counter)
            {
                Interlocked.Increment(ref counter.Count);
            }

            return ValueTask.FromResult(result);
        }

        private sealed class StrongBoxCounter
        {
            public int Count;
        }
    }

    private sealed class FirstStatus : IProgress<SetupStatusResponse>
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public void Report(SetupStatusResponse value) => _seen.TrySetResult();
    }
}
