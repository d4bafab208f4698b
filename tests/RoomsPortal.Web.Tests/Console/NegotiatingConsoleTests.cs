using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// A console that negotiates (as it must with Azure SignalR Service on) still holds one socket at the portal while it
/// waits: the negotiate call's HTTP connection goes once idle. The bench found 8,073 portal files for 4,000 negotiating
/// consoles against 4,475 without negotiating. Counted with Kestrel's own <c>kestrel.active_connections</c>, Production.
/// </summary>
public sealed class NegotiatingConsoleTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly PortalFactory _portal = new PortalFactory().UseRealPort().InProduction();
    private readonly TestManufacturer _contoso = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _contoso.RegisterAsync(_portal.Services, Ct);

    public async ValueTask DisposeAsync()
    {
        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_negotiating_console_waits_on_one_socket()
    {
        using var open = new KestrelConnections(_portal.Services.GetRequiredService<IMeterFactory>());
        var admin = new PortalProvisioning(_portal.Services);
        await admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var account = await admin.CreateAccountAsync("room-negotiate@contoso.com", ct: Ct);
        var otp = await admin.IssueOtpAsync(account, "room-negotiate@contoso.com", ct: Ct);
        // The console's own calls let their connection go once idle too, so only the hub's sockets are left to count.
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1) }) { BaseAddress = _portal.ServerAddress };
        await using var console = new ConsoleSetupClient(http, _contoso.Console("SN-NEGOTIATE-1")) { Negotiate = true };
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync(Core.Verification.AgreementService.BuiltIn.Version, Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);

        var pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, new Progress(_ => pending.TrySetResult()), Ct);
        await pending.Task.WaitAsync(Patience, Ct);
        var settled = await open.WaitForAsync(1, Patience, Ct);
        await admin.ApproveAsync(redeemed.RequestId, Ct);
        var decided = await waiting.WaitAsync(Patience, Ct);

        Assert.True(settled, $"the portal still had {open.Count} connections open for one waiting console");
        Assert.Equal(SetupStatus.Approved, decided.Status);
    }

    private sealed class Progress(Action<SetupStatusResponse> report) : IProgress<SetupStatusResponse>
    {
        public void Report(SetupStatusResponse value) => report(value);
    }

    /// <summary>This portal's open Kestrel connections, from its own meter (other tests' portals run in this process too).</summary>
    private sealed class KestrelConnections : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public KestrelConnections(IMeterFactory portalMeters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel" && instrument.Name == "kestrel.active_connections"
                    && ReferenceEquals(instrument.Meter.Scope, portalMeters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, delta, _, _) => Interlocked.Add(ref _count, delta));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        /// <summary>True once exactly <paramref name="expected"/> are open; false when <paramref name="patience"/> ran out first.</summary>
        public async Task<bool> WaitForAsync(long expected, TimeSpan patience, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + patience;
            while (Count != expected && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, ct);
            }

            return Count == expected;
        }

        public void Dispose() => _listener.Dispose();
    }
}
