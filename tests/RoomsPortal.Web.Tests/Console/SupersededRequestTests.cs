using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Otps;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// A console waiting for approval is told at once when its request is replaced: by a new code for the account, or by
/// another console's manual setup. The portal runs in Production on an empty database; consoles use the real SDK.
/// </summary>
public sealed class SupersededRequestTests : IAsyncLifetime
{
    private const string Upn = "room-4.12@contoso.com";
    private const string Password = "Room-Pass-1234!";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly PortalFactory _portal = new PortalFactory().InProduction().UseRealPort();
    private readonly TestManufacturer _contoso = new();
    private readonly List<IDisposable> _disposables = [];
    private PortalProvisioning _admin = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _contoso.RegisterAsync(_portal.Services, Ct);
        _admin = new PortalProvisioning(_portal.Services);
        await _admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_waiting_console_is_told_when_a_new_code_replaces_its_request()
    {
        var account = await _admin.CreateAccountAsync(Upn, Password, ct: Ct);
        var first = await _admin.IssueOtpAsync(account, Upn, Password, Ct);
        var console = await ReadyConsoleAsync("SN-OLD-1");
        var redeemed = await console.RedeemOtpAsync(first.Code, Ct);
        var watching = new Watching();
        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, watching, Ct);
        await watching.FirstStatus.WaitAsync(Patience, Ct);

        var second = await _admin.IssueOtpAsync(account, Upn, Password, Ct);
        var decided = await waiting.WaitAsync(Patience, Ct);

        Assert.Equal(SetupStatus.Rejected, decided.Status);
        Assert.Equal(nameof(RejectReason.Superseded), decided.RejectionReason);
        var batch = (await _portal.Services.GetRequiredService<OtpService>().ListForAccountAsync(account, AccessScope.All, Ct)).Single(o => o.Id == second.OtpId).BatchId;
        Assert.Equal($"Replaced by a new code in batch {batch}.", decided.RejectionNote);
        var claim = await Assert.ThrowsAsync<ConsoleApiException>(() => console.ClaimSignInDataAsync(redeemed.RequestId, Ct));
        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.SignInDataUnavailable), (claim.Status, claim.Code));
        var replacement = await ReadyConsoleAsync("SN-NEW-1");
        Assert.Equal(SetupStatus.Pending, (await replacement.RedeemOtpAsync(second.Code, Ct)).Status);
    }

    [Fact]
    public async Task A_waiting_console_is_told_when_another_console_sets_the_account_up_manually()
    {
        var account = await _admin.CreateAccountAsync(Upn, Password, ct: Ct);
        var otp = await _admin.IssueOtpAsync(account, Upn, Password, Ct);
        var waitingConsole = await ReadyConsoleAsync("SN-WAIT-1");
        var redeemed = await waitingConsole.RedeemOtpAsync(otp.Code, Ct);
        var watching = new Watching();
        var waiting = waitingConsole.WaitForDecisionAsync(redeemed.RequestId, watching, Ct);
        await watching.FirstStatus.WaitAsync(Patience, Ct);

        var manual = await (await ReadyConsoleAsync("SN-MANUAL-1")).ManualSetupAsync(Upn, Password, Ct);
        var decided = await waiting.WaitAsync(Patience, Ct);

        Assert.Equal(Upn, manual.AccountUpn);
        Assert.Equal((SetupStatus.Rejected, nameof(RejectReason.Superseded), "Replaced by manual setup on console SN-MANUAL-1."),
            (decided.Status, decided.RejectionReason, decided.RejectionNote));
    }

    private async Task<ConsoleSetupClient> ReadyConsoleAsync(string serial)
    {
        var http = new HttpClient { BaseAddress = _portal.ServerAddress };
        _disposables.Add(http);
        var console = new ConsoleSetupClient(http, _contoso.Console(serial));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        return console;
    }

    /// <summary>Completes when the console saw its first status (it is then subscribed to pushes).</summary>
    private sealed class Watching : IProgress<SetupStatusResponse>
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstStatus => _first.Task;

        public void Report(SetupStatusResponse value) => _first.TrySetResult();
    }
}
