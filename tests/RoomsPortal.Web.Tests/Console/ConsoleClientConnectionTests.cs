using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// The SDK holds one hub connection per console (issue 13 item 5): no negotiate call, one WebSocket request, reused by
/// the next wait after one was cancelled, closed when the client is disposed. Counted at the portal on a real port.
/// When a wait ends on a kept connection the SDK unwatches its request: a hub filter reports each <c>Unwatch</c> the
/// hub completed, and <see cref="WatchedRequests"/> says who still listens.
/// </summary>
public sealed class ConsoleClientConnectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly HubRequests _requests = new();
    private readonly UnwatchRecorder _unwatched = new();
    private readonly PortalFactory _portal;
    private readonly TestManufacturer _contoso = new();

    public ConsoleClientConnectionTests()
    {
        _portal = new PortalFactory().UseRealPort()
            .WithServices(services => services.AddSingleton<IStartupFilter>(_requests))
            .WithServices(services => services.Configure<HubOptions<ConsoleHub>>(hub => hub.AddFilter(_unwatched)));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _contoso.RegisterAsync(_portal.Services, Ct);

    public async ValueTask DisposeAsync()
    {
        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_console_waits_twice_on_one_connection_without_negotiating_and_closes_it_when_disposed()
    {
        var admin = new PortalProvisioning(_portal.Services);
        await admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var account = await admin.CreateAccountAsync("room-conn@contoso.com", ct: Ct);
        var otp = await admin.IssueOtpAsync(account, "room-conn@contoso.com", ct: Ct);
        var connections = _portal.Services.GetRequiredService<ConsoleConnections>();
        var opened = 0;
        connections.Opened += _ => Interlocked.Increment(ref opened);
        using var http = new HttpClient { BaseAddress = _portal.ServerAddress };
        var console = new ConsoleSetupClient(http, _contoso.Console("SN-CONN-1"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync(Core.Verification.AgreementService.BuiltIn.Version, Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);

        // A first wait, given up once it saw the pending status (a technician who walked away from the screen).
        using (var walkAway = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var pending = new TaskCompletionSource<SetupStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            var first = console.WaitForDecisionAsync(redeemed.RequestId, new Progress(s => pending.TrySetResult(s.Status)), walkAway.Token);
            Assert.Equal(SetupStatus.Pending, await pending.Task.WaitAsync(Patience, Ct));
            await walkAway.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        }

        // The second wait reuses the connection and sees the decision pushed to it.
        var second = console.WaitForDecisionAsync(redeemed.RequestId, null, Ct);
        await admin.ApproveAsync(redeemed.RequestId, Ct);
        Assert.Equal(SetupStatus.Approved, (await second.WaitAsync(Patience, Ct)).Status);

        Assert.Equal((0, 1), (_requests.Negotiations, _requests.Connections));
        Assert.Equal(1, Volatile.Read(ref opened));
        Assert.Equal(1, connections.Count);

        await console.DisposeAsync();
        var deadline = DateTime.UtcNow + Patience;
        while (connections.Count > 0 && DateTime.UtcNow < deadline)
        {
            // The portal learns of the close when the socket's close handshake reaches it.
            await Task.Delay(25, Ct);
        }

        Assert.Equal(0, connections.Count);
    }

    [Fact]
    public async Task A_wait_that_ends_unwatches_its_request_and_keeps_the_connection_for_the_next_wait()
    {
        var admin = new PortalProvisioning(_portal.Services);
        await admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var account = await admin.CreateAccountAsync("room-unwatch@contoso.com", ct: Ct);
        var otp = await admin.IssueOtpAsync(account, "room-unwatch@contoso.com", ct: Ct);
        var watched = _portal.Services.GetRequiredService<WatchedRequests>();
        var connections = _portal.Services.GetRequiredService<ConsoleConnections>();
        using var http = new HttpClient { BaseAddress = _portal.ServerAddress };
        await using var console = new ConsoleSetupClient(http, _contoso.Console("SN-UNWATCH-1"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync(Core.Verification.AgreementService.BuiltIn.Version, Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);

        // A wait given up once it saw the pending status: the request is unwatched, the connection kept.
        bool watchedWhileWaiting;
        using (var walkAway = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var first = console.WaitForDecisionAsync(redeemed.RequestId, new Progress(_ => pending.TrySetResult()), walkAway.Token);
            await pending.Task.WaitAsync(Patience, Ct);
            watchedWhileWaiting = watched.IsWatched(redeemed.RequestId);
            await walkAway.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        }

        var unwatchedWhenGivenUp = await _unwatched.NextAsync(Ct).AsTask().WaitAsync(Patience, Ct);
        var watchedAfterGivingUp = watched.IsWatched(redeemed.RequestId);

        // The next wait reuses the connection, watches again and gets the decision; then it unwatches again.
        var second = console.WaitForDecisionAsync(redeemed.RequestId, null, Ct);
        await admin.ApproveAsync(redeemed.RequestId, Ct);
        var decided = await second.WaitAsync(Patience, Ct);
        var unwatchedWhenDecided = await _unwatched.NextAsync(Ct).AsTask().WaitAsync(Patience, Ct);

        Assert.True(watchedWhileWaiting);
        Assert.Equal(redeemed.RequestId, unwatchedWhenGivenUp);
        Assert.False(watchedAfterGivingUp);
        Assert.Equal(SetupStatus.Approved, decided.Status);
        Assert.Equal(redeemed.RequestId, unwatchedWhenDecided);
        Assert.False(watched.IsWatched(redeemed.RequestId));
        Assert.Equal(1, connections.Count);
    }

    private sealed class Progress(Action<SetupStatusResponse> report) : IProgress<SetupStatusResponse>
    {
        public void Report(SetupStatusResponse value) => report(value);
    }

    /// <summary>Counts the requests that reach the console hub's negotiate and connection endpoints.</summary>
    private sealed class HubRequests : IStartupFilter
    {
        private int _negotiations;
        private int _connections;

        public int Negotiations => Volatile.Read(ref _negotiations);

        public int Connections => Volatile.Read(ref _connections);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, proceed) =>
            {
                var path = context.Request.Path.Value ?? "";
                if (path.Equals(ConsoleHubNames.Path + "/negotiate", StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref _negotiations);
                }
                else if (path.Equals(ConsoleHubNames.Path, StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref _connections);
                }

                await proceed(context);
            });
            next(app);
        };
    }

    /// <summary>Each request id the console hub's <c>Unwatch</c> completed for, in order.</summary>
    private sealed class UnwatchRecorder : IHubFilter
    {
        private readonly Channel<Guid> _requests = Channel.CreateUnbounded<Guid>();

        public ValueTask<Guid> NextAsync(CancellationToken ct) => _requests.Reader.ReadAsync(ct);

        public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
        {
            var result = await next(invocationContext);
            if (invocationContext.HubMethodName == ConsoleHubNames.Unwatch)
            {
                _requests.Writer.TryWrite(Guid.Parse((string)invocationContext.HubMethodArguments[0]!));
            }

            return result;
        }
    }
}
