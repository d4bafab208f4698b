using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;
using RoomsPortal.Web.Tests.Console.RawProtocol;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// What a console's hub calls cost the portal (Production environment, empty database, set up through the portal's
/// services): leaving a request it watches reads nothing, and a call the console hangs up on is one Debug line, not an
/// error with a stack trace. The bench's 4,000 consoles, each sending Unwatch as it closed, wrote 26,088 log lines.
/// The clock is fake only so the credential sweep's timer does not read sessions while reads are counted.
/// </summary>
public sealed class ConsoleHubCostTests : IAsyncLifetime
{
    private const string Sessions = "\"ConsoleSession\"";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly RequestReads _reads = new();
    private readonly TestManufacturer _contoso = new();
    private readonly PortalFactory _portal;
    private PortalProvisioning _admin = default!;

    public ConsoleHubCostTests()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _portal = new PortalFactory().UseRealPort().InProduction()
            .WithSetting("Serilog:MinimumLevel:Override:RoomsPortal.Web.Hubs.ConsoleHub", "Debug")
            .WithServices(services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
                services.ConfigureDbContext<PortalDbContext>((_, options) => options.AddInterceptors(_reads));
            });
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
    public async Task Leaving_a_watched_request_reads_nothing_and_one_not_watched_is_still_checked()
    {
        var (console, requestId) = await RedeemedAsync("SN-COST-1", "room-cost-1@contoso.com");
        using var _ = console;
        await using var hub = await RawHub.ConnectAsync(_portal.ServerAddress, console.Token!, Ct);
        var id = Guid.Parse(requestId);

        var watchReads = await _reads.CountNamingAsync(id, () => hub.InvokeAsync("Watch", requestId, Ct), Sessions);
        JsonElement left = default, again = default;
        var unwatchReads = await _reads.CountNamingAsync(id, async () => left = await hub.InvokeAsync("Unwatch", requestId, Ct), Sessions);
        var notWatchedReads = await _reads.CountNamingAsync(id, async () => again = await hub.InvokeAsync("Unwatch", requestId, Ct), Sessions);

        // Watch checks the credential and the request (the counter sees both kinds of read); Unwatch of a watched request neither.
        Assert.True(watchReads >= 2, $"Watch read {watchReads} rows naming the request or the sessions");
        Assert.Equal(0, unwatchReads);
        Assert.Equal(JsonValueKind.Null, left.GetProperty("result").ValueKind);
        Assert.True(notWatchedReads >= 2, $"an Unwatch of a request not watched here read {notWatchedReads}");
        Assert.Equal(JsonValueKind.Null, again.GetProperty("result").ValueKind);
    }

    [Fact]
    public async Task A_call_the_console_hangs_up_on_is_one_Debug_line_and_no_error()
    {
        var (console, requestId) = await RedeemedAsync("SN-COST-2", "room-cost-2@contoso.com");
        using var _ = console;
        var hub = await RawHub.ConnectAsync(_portal.ServerAddress, console.Token!, Ct);

        // The request's read waits, as on a busy database, until the connection closes under it.
        var held = _reads.HoldNextAsync(Guid.Parse(requestId));
        await hub.SendAsync("Watch", requestId, Ct);
        await held.WaitAsync(Patience, Ct);
        await hub.DisposeAsync();

        var line = await _portal.WaitForLogLineAsync("ended unanswered", Patience, Ct);
        Assert.Contains("[DBG]", line, StringComparison.Ordinal);
        Assert.Contains("Watch", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed to invoke hub method", await _portal.ReadLogsAsync(Ct), StringComparison.Ordinal);
    }

    private async Task<(RawConsole Console, string RequestId)> RedeemedAsync(string serial, string upn)
    {
        var account = await _admin.CreateAccountAsync(upn, ct: Ct);
        var otp = await _admin.IssueOtpAsync(account, upn, ct: Ct);
        var console = new RawConsole(_portal.ServerAddress, _contoso.Make, _contoso.Model, serial);
        await console.VerifyAsync(_contoso.SigningKey, Ct);
        var agreement = await console.GetAsync("agreement", Ct, credential: false);
        await console.PostAsync("agreement", new { version = agreement.Text("version") }, Ct);
        var redeemed = await console.PostAsync("otp/redeem", new { code = otp.Code }, Ct);
        return (console, redeemed.Text("requestId"));
    }
}
