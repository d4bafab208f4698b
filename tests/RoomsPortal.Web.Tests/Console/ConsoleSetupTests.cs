using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>Consoles set up through the real SDK against the portal on a real port, with the real hub.</summary>
public sealed class ConsoleSetupTests : IAsyncLifetime
{
    private const string Upn = "room-4.12@contoso.com";
    private const string Password = "Room-Pass-1234!";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly PortalFactory _portal = new PortalFactory().UseRealPort();
    private readonly TestManufacturer _contoso = new();
    private readonly List<IDisposable> _disposables = [];
    private PortalProvisioning _admin = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _contoso.RegisterAsync(_portal.Services, Ct);
        _admin = new PortalProvisioning(_portal.Services);
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
    public async Task Auto_approved_console_gets_its_sign_in_data_once_and_is_in_the_inventory()
    {
        await _admin.SetPreferencesAsync(autoApproval: true, ct: Ct);
        var otp = await IssueAsync();
        var console = await ReadyConsoleAsync("SN-AUTO-1");

        var redeemed = await console.RedeemOtpAsync(otp.Code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), Ct);

        Assert.Equal(SetupStatus.Approved, redeemed.Status);
        Assert.True(redeemed.ApprovedAutomatically);
        Assert.Equal(Upn, redeemed.AccountUpn);
        var signIn = await console.ClaimSignInDataAsync(redeemed.RequestId, Ct);
        Assert.Equal((Upn, Password), (signIn.Upn, signIn.Password));
        var again = await Assert.ThrowsAsync<ConsoleApiException>(() => console.ClaimSignInDataAsync(redeemed.RequestId, Ct));
        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.SignInDataUnavailable), (again.Status, again.Code));
        Assert.Equal(SetupStatus.SignedIn, (await console.GetStatusAsync(redeemed.RequestId, Ct)).Status);
        var device = await SingleDeviceAsync();
        Assert.Equal(("SN-AUTO-1", "Contoso", "RoomConsole 10"), (device.Serial, device.Make, device.Model));
    }

    [Fact]
    public async Task Pending_setup_approved_by_an_admin_is_pushed_to_the_waiting_console()
    {
        await _admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var otp = await IssueAsync();
        var console = await ReadyConsoleAsync("SN-PEND-1");
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);
        Assert.Equal(SetupStatus.Pending, redeemed.Status);
        var watching = new Watching();

        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, watching, Ct);
        await watching.FirstStatus.WaitAsync(Patience, Ct);
        await _admin.ApproveAsync(redeemed.RequestId, Ct);
        var decided = await waiting.WaitAsync(Patience, Ct);

        Assert.Equal(SetupStatus.Approved, decided.Status);
        Assert.False(decided.ApprovedAutomatically);
        Assert.Equal(Upn, decided.AccountUpn);
        Assert.Equal(Password, (await console.ClaimSignInDataAsync(decided.RequestId, Ct)).Password);
        Assert.Equal("SN-PEND-1", (await SingleDeviceAsync()).Serial);
    }

    [Fact]
    public async Task Rejection_reaches_the_waiting_console_with_its_reason_and_note()
    {
        await _admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var otp = await IssueAsync();
        var console = await ReadyConsoleAsync("SN-REJ-1");
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);
        var watching = new Watching();

        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, watching, Ct);
        await watching.FirstStatus.WaitAsync(Patience, Ct);
        await _admin.RejectAsync(redeemed.RequestId, RejectReason.WrongRoom, "This console belongs in room 4.14", Ct);
        var decided = await waiting.WaitAsync(Patience, Ct);

        Assert.Equal(SetupStatus.Rejected, decided.Status);
        Assert.Equal(nameof(RejectReason.WrongRoom), decided.RejectionReason);
        Assert.Equal("This console belongs in room 4.14", decided.RejectionNote);
        Assert.Null(decided.AccountUpn);
        var claim = await Assert.ThrowsAsync<ConsoleApiException>(() => console.ClaimSignInDataAsync(redeemed.RequestId, Ct));
        Assert.Equal(ConsoleErrorCodes.SignInDataUnavailable, claim.Code);
    }

    [Fact]
    public async Task A_reconnect_while_pending_still_ends_signed_in()
    {
        await _admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var otp = await IssueAsync();
        await using var proxy = new DroppingProxy(_portal.ServerAddress);
        using var http = new HttpClient { BaseAddress = proxy.Address };
        var console = new ConsoleSetupClient(http, _contoso.Console("SN-FLAKY-1"));
        var states = new List<string>();
        console.ConnectionChanged += state =>
        {
            lock (states)
            {
                states.Add(state);
            }
        };
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);
        var watching = new Watching();
        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, watching, Ct);
        await watching.FirstStatus.WaitAsync(Patience, Ct);

        // The network drops; the admin approves while the console cannot hear the push; then the network returns.
        proxy.Refuse();
        await _admin.ApproveAsync(redeemed.RequestId, Ct);
        proxy.Accept();
        var decided = await waiting.WaitAsync(Patience, Ct);

        Assert.Equal(SetupStatus.Approved, decided.Status);
        lock (states)
        {
            Assert.Contains("reconnected", states);
        }

        Assert.Equal(Password, (await console.ClaimSignInDataAsync(decided.RequestId, Ct)).Password);
        Assert.Equal(SetupStatus.SignedIn, (await console.GetStatusAsync(decided.RequestId, Ct)).Status);
    }

    [Fact]
    public async Task A_console_cannot_read_claim_or_watch_another_consoles_request()
    {
        await _admin.SetPreferencesAsync(autoApproval: true, ct: Ct);
        var otp = await IssueAsync();
        var owner = await ReadyConsoleAsync("SN-OWNER-1");
        var redeemed = await owner.RedeemOtpAsync(otp.Code, Ct);
        var intruder = await ReadyConsoleAsync("SN-OTHER-2");

        var read = await Assert.ThrowsAsync<ConsoleApiException>(() => intruder.GetStatusAsync(redeemed.RequestId, Ct));
        var claim = await Assert.ThrowsAsync<ConsoleApiException>(() => intruder.ClaimSignInDataAsync(redeemed.RequestId, Ct));
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_portal.ServerAddress, ConsoleHubNames.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(intruder.Verification!.DeviceToken))
            .Build();
        await hub.StartAsync(Ct);
        var watch = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<SetupStatusResponse>(ConsoleHubNames.Watch, redeemed.RequestId, Ct));

        Assert.Equal((HttpStatusCode.NotFound, ConsoleErrorCodes.RequestNotFound), (read.Status, read.Code));
        Assert.Equal((HttpStatusCode.NotFound, ConsoleErrorCodes.RequestNotFound), (claim.Status, claim.Code));
        Assert.Contains(ConsoleErrorCodes.RequestNotFound, watch.Message, StringComparison.Ordinal);
        Assert.Equal(Password, (await owner.ClaimSignInDataAsync(redeemed.RequestId, Ct)).Password);
    }

    [Fact]
    public async Task The_hub_refuses_a_connection_without_a_device_credential()
    {
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_portal.ServerAddress, ConsoleHubNames.Path)).Build();

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Each_code_failure_has_its_own_answer_and_the_same_console_retrying_gets_the_same_request()
    {
        await _admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var otp = await IssueAsync();
        var first = await ReadyConsoleAsync("SN-CODES-1");
        var second = await ReadyConsoleAsync("SN-CODES-2");

        var malformed = await Assert.ThrowsAsync<ConsoleApiException>(() => first.RedeemOtpAsync("BCDF-GHJK-LMN", Ct));
        var unknown = await Assert.ThrowsAsync<ConsoleApiException>(() => first.RedeemOtpAsync("BCDF-GHJK-LMNP", Ct));
        var redeemed = await first.RedeemOtpAsync(otp.Code, Ct);
        var retried = await first.RedeemOtpAsync(otp.Code, Ct);
        var used = await Assert.ThrowsAsync<ConsoleApiException>(() => second.RedeemOtpAsync(otp.Code, Ct));

        Assert.Equal((HttpStatusCode.BadRequest, ConsoleErrorCodes.OtpMalformed), (malformed.Status, malformed.Code));
        Assert.Equal((HttpStatusCode.NotFound, ConsoleErrorCodes.OtpInvalid), (unknown.Status, unknown.Code));
        Assert.Equal(redeemed.RequestId, retried.RequestId);
        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.OtpAlreadyUsed), (used.Status, used.Code));
    }

    [Fact]
    public async Task Redemption_and_manual_setup_need_the_agreement_first()
    {
        var otp = await IssueAsync();
        var console = new ConsoleSetupClient(Http(), _contoso.Console("SN-NOEULA-1"));
        await console.VerifyDeviceAsync(Ct);

        var redeem = await Assert.ThrowsAsync<ConsoleApiException>(() => console.RedeemOtpAsync(otp.Code, Ct));
        var manual = await Assert.ThrowsAsync<ConsoleApiException>(() => console.ManualSetupAsync(Upn, Password, Ct));

        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.AgreementRequired), (redeem.Status, redeem.Code));
        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.AgreementRequired), (manual.Status, manual.Code));
        await using var db = await Db();
        Assert.Equal(0, await db.Set<ApprovalRequest>().CountAsync(Ct));
    }

    [Fact]
    public async Task Manual_setup_with_the_right_password_signs_in_and_a_wrong_one_gets_one_generic_error()
    {
        await _admin.CreateAccountAsync(Upn, Password, ct: Ct);
        var console = await ReadyConsoleAsync("SN-MANUAL-1");

        var wrongPassword = await Assert.ThrowsAsync<ConsoleApiException>(() => console.ManualSetupAsync(Upn, "not-the-password", Ct));
        var unknownAccount = await Assert.ThrowsAsync<ConsoleApiException>(() => console.ManualSetupAsync("nobody@contoso.com", Password, Ct));
        var signedIn = await console.ManualSetupAsync(Upn.ToUpperInvariant(), Password, Ct);

        Assert.Equal((HttpStatusCode.Unauthorized, ConsoleErrorCodes.InvalidCredentials), (wrongPassword.Status, wrongPassword.Code));
        Assert.Equal((wrongPassword.Status, wrongPassword.Code, wrongPassword.Title), (unknownAccount.Status, unknownAccount.Code, unknownAccount.Title));
        Assert.Equal(Upn, signedIn.AccountUpn);
        Assert.Equal("SN-MANUAL-1", (await SingleDeviceAsync()).Serial);
        await using var db = await Db();
        var security = await db.Set<AuditEntry>().Where(e => e.Category == AuditCategory.Security).ToListAsync(Ct);
        Assert.Equal(2, security.Count);
        Assert.DoesNotContain(security, e => (e.Details ?? "").Contains("not-the-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_bodies_get_400_naming_the_field_and_write_nothing()
    {
        var console = await ReadyConsoleAsync("SN-BAD-1");
        using var http = Http();
        http.DefaultRequestHeaders.Authorization = new("Bearer", console.Verification!.DeviceToken);

        using var notJson = await http.PostAsync("api/console/v1/otp/redeem", new StringContent("{\"code\":", System.Text.Encoding.UTF8, "application/json"), Ct);
        using var tooLong = await http.PostAsync("api/console/v1/manual-setup", Json(new { email = new string('a', 300), password = "x" }), Ct);
        using var noCode = await http.PostAsync("api/console/v1/otp/redeem", Json(new { code = "" }), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("email", await tooLong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("code is required", await noCode.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        await using var db = await Db();
        Assert.Equal(0, await db.Set<ApprovalRequest>().CountAsync(Ct));
        Assert.Equal(0, await db.Set<Device>().CountAsync(Ct));
    }

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private async Task<Core.Otps.IssuedOtp> IssueAsync()
    {
        var account = await _admin.CreateAccountAsync(Upn, Password, ct: Ct);
        return await _admin.IssueOtpAsync(account, Upn, Password, Ct);
    }

    private HttpClient Http()
    {
        var http = new HttpClient { BaseAddress = _portal.ServerAddress };
        _disposables.Add(http);
        return http;
    }

    private async Task<ConsoleSetupClient> ReadyConsoleAsync(string serial)
    {
        var console = new ConsoleSetupClient(Http(), _contoso.Console(serial));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        return console;
    }

    private async Task<PortalDbContext> Db() =>
        await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);

    private async Task<Device> SingleDeviceAsync()
    {
        await using var db = await Db();
        return await db.Set<Device>().AsNoTracking().SingleAsync(Ct);
    }

    /// <summary>Reports what the console saw; completes when it saw its first status (it is then subscribed).</summary>
    private sealed class Watching : IProgress<SetupStatusResponse>
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstStatus => _first.Task;

        public void Report(SetupStatusResponse value) => _first.TrySetResult();
    }
}
