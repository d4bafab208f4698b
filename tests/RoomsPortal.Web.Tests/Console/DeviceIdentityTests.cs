using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// A console is make + model + serial: a console of another manufacturer that reports the same serial number is
/// another console, and gets nothing of the first one's request (issue 11).
/// </summary>
public sealed class DeviceIdentityTests : IAsyncLifetime
{
    private const string Upn = "room-4.12@contoso.com";
    private const string Password = "Room-Pass-1234!";
    private const string Serial = "SN-SHARED-1";

    private readonly PortalFactory _portal = new PortalFactory().UseRealPort();
    private readonly TestManufacturer _contoso = new("Contoso", "RoomConsole 10");
    private readonly TestManufacturer _fabrikam = new("Fabrikam", "Board 20");
    private readonly List<IDisposable> _disposables = [];
    private PortalProvisioning _admin = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _contoso.RegisterAsync(_portal.Services, Ct);
        await _fabrikam.RegisterAsync(_portal.Services, Ct);
        _admin = new PortalProvisioning(_portal.Services);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _contoso.Dispose();
        _fabrikam.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_console_of_another_make_with_the_same_serial_gets_nothing_of_the_request()
    {
        await _admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var account = await _admin.CreateAccountAsync(Upn, Password, ct: Ct);
        var otp = await _admin.IssueOtpAsync(account, Upn, Password, Ct);
        var owner = await ReadyConsoleAsync(_contoso.Console(Serial));
        var redeemed = await owner.RedeemOtpAsync(otp.Code, Ct);
        var intruder = await ReadyConsoleAsync(_fabrikam.Console(Serial));

        var read = await Assert.ThrowsAsync<ConsoleApiException>(() => intruder.GetStatusAsync(redeemed.RequestId, Ct));
        var redeem = await Assert.ThrowsAsync<ConsoleApiException>(() => intruder.RedeemOtpAsync(otp.Code, Ct));
        var watch = await WatchAsIntruderAsync(intruder, redeemed.RequestId);
        await _admin.ApproveAsync(redeemed.RequestId, Ct);
        var claim = await Assert.ThrowsAsync<ConsoleApiException>(() => intruder.ClaimSignInDataAsync(redeemed.RequestId, Ct));

        Assert.Equal((HttpStatusCode.NotFound, ConsoleErrorCodes.RequestNotFound), (read.Status, read.Code));
        // The code was used by another console: the same answer as for a console with another serial.
        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.OtpAlreadyUsed), (redeem.Status, redeem.Code));
        Assert.StartsWith(ConsoleErrorCodes.RequestNotFound, watch.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.NotFound, ConsoleErrorCodes.RequestNotFound), (claim.Status, claim.Code));
        Assert.Equal(Password, (await owner.ClaimSignInDataAsync(redeemed.RequestId, Ct)).Password);
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var device = await db.Set<Device>().AsNoTracking().SingleAsync(Ct);
        Assert.Equal(("Contoso", "RoomConsole 10", Serial), (device.Make, device.Model, device.Serial));
    }

    private async Task<HubException> WatchAsIntruderAsync(ConsoleSetupClient intruder, Guid requestId)
    {
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_portal.ServerAddress, ConsoleHubNames.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(intruder.Verification!.DeviceToken))
            .Build();
        await hub.StartAsync(Ct);
        return await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<SetupStatusResponse>(ConsoleHubNames.Watch, requestId, Ct));
    }

    private async Task<ConsoleSetupClient> ReadyConsoleAsync(ConsoleDevice device)
    {
        var http = new HttpClient { BaseAddress = _portal.ServerAddress };
        _disposables.Add(http);
        var console = new ConsoleSetupClient(http, device);
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        return console;
    }
}
