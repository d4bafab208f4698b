using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// The SDK keeps its hub connection for the next wait; when a wait ends (given up or decided) it unwatches the
/// request, so the kept connection stops carrying that request's pushes. Observed at the portal, on a real port: a hub
/// filter reports each <c>Unwatch</c> the hub completed, and <see cref="WatchedRequests"/> says who still listens.
/// </summary>
public sealed class ConsoleUnwatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly UnwatchRecorder _unwatched = new();
    private readonly PortalFactory _portal;
    private readonly TestManufacturer _contoso = new();

    public ConsoleUnwatchTests()
    {
        _portal = new PortalFactory().UseRealPort()
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
