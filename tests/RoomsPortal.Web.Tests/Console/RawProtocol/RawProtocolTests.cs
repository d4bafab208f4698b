using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.Verification;
using RoomsPortal.Testing;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Tests.Console.RawProtocol;

/// <summary>
/// The protocol, not the SDK: a console that speaks raw HTTP and a raw WebSocket from docs/console-protocol.md runs
/// the whole setup against the portal on a real port. The IT admin's side goes through the portal's Core services.
/// The portal runs on a fake clock only so the test can move past the credential sweep's interval.
/// </summary>
public sealed partial class RawProtocolTests : IAsyncLifetime
{
    private const string Make = "Northwind";
    private const string Model = "Huddle 5";
    private const string OtpAccount = "room-raw-1@contoso.com";
    private const string ManualAccount = "room-raw-2@contoso.com";
    private const string ManualPassword = "Manual-Pass-5678!";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ECDsa _manufacturer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly PortalFactory _portal;
    private PortalProvisioning _admin = default!;

    public RawProtocolTests()
    {
        _portal = new PortalFactory().UseRealPort()
            .WithServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock)));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // The portal's administrator certifies the model and registers the manufacturer's public key.
        var catalog = _portal.Services.GetRequiredService<DeviceCatalogService>();
        await catalog.AddCertifiedModelAsync(Make, Model, PortalProvisioning.Admin, Ct);
        await catalog.AddManufacturerKeyAsync(Make, "raw-test", Convert.ToBase64String(_manufacturer.ExportSubjectPublicKeyInfo()), PortalProvisioning.Admin, Ct);
        _admin = new PortalProvisioning(_portal.Services);
        await _admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _manufacturer.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_console_built_from_the_document_sets_up_end_to_end()
    {
        var account = await _admin.CreateAccountAsync(OtpAccount, ct: Ct);
        var otp = await _admin.IssueOtpAsync(account, OtpAccount, ct: Ct);
        using var console = new RawConsole(_portal.ServerAddress, Make, Model, "NW-RAW-0001");

        // End user agreement text, before any credential.
        var agreement = await console.GetAsync("agreement", Ct, credential: false);
        Assert.Equal(HttpStatusCode.OK, agreement.Status);
        Assert.False(string.IsNullOrWhiteSpace(agreement.Text("text")));

        // 1. Verification: the console signs its own statement.
        var verified = await console.VerifyAsync(_manufacturer, Ct);
        Assert.Equal(HttpStatusCode.OK, verified.Status);
        Assert.StartsWith("rpc_", verified.Text("deviceToken"), StringComparison.Ordinal);
        Assert.Matches(WireTime(), verified.Text("expiresAt"));
        Assert.False(verified.Json.GetProperty("agreementAccepted").GetBoolean());

        // 2. Agreement: another version is refused with the current one; the current one is accepted.
        var stale = await console.PostAsync("agreement", new { version = "1999-01" }, Ct);
        Assert.Equal((HttpStatusCode.Conflict, "agreement_version_mismatch"), (stale.Status, stale.Code));
        Assert.Equal(agreement.Text("version"), stale.Text("currentVersion"));
        Assert.Equal("application/problem+json", stale.ContentType);
        Assert.Equal(HttpStatusCode.NoContent, (await console.PostAsync("agreement", new { version = agreement.Text("version") }, Ct)).Status);

        // 3. Redeem: case, dashes and spaces do not matter; the status is a string.
        var redeemed = await console.PostAsync("otp/redeem", new { code = otp.Code.ToLowerInvariant().Replace('-', ' ') }, Ct);
        Assert.Equal(HttpStatusCode.OK, redeemed.Status);
        Assert.Equal("Pending", redeemed.Text("status"));
        Assert.False(redeemed.Json.GetProperty("isFinal").GetBoolean());
        Assert.Matches(WireTime(), redeemed.Text("expiresAt"));
        var requestId = redeemed.Text("requestId");

        // 4. Wait on the hub: Watch answers the current status; bad calls answer their documented errors.
        var hub = await RawHub.ConnectAsync(_portal.ServerAddress, console.Token!, Ct);
        await using (hub)
        {
            var watched = await hub.InvokeAsync("Watch", requestId, Ct);
            Assert.Equal("Pending", watched.GetProperty("result").GetProperty("status").GetString());
            var malformed = await hub.InvokeAsync("Watch", "not-a-guid", Ct);
            var unknown = await hub.InvokeAsync("Watch", Guid.NewGuid().ToString(), Ct);
            Assert.StartsWith("invalid_request: ", malformed.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("request_not_found: ", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);

            // The admin approves; the push arrives.
            await _admin.ApproveAsync(Guid.Parse(requestId), Ct);
            var push = await hub.NextAsync(m => RawHub.IsInvocationOf(m, "StatusChanged"), Ct).WaitAsync(Patience, Ct);
            var pushed = push!.Value.GetProperty("arguments")[0];
            Assert.Equal((requestId, "Approved", OtpAccount), (pushed.GetProperty("requestId").GetString(), pushed.GetProperty("status").GetString(), pushed.GetProperty("accountUpn").GetString()));
            Assert.True(pushed.GetProperty("isFinal").GetBoolean());
            Assert.False(pushed.TryGetProperty("password", out _));

            // Done with the request but keeping the connection: Unwatch answers a completion with a null result.
            var left = await hub.InvokeAsync("Unwatch", requestId, Ct);
            Assert.False(left.TryGetProperty("error", out _));
            Assert.Equal(JsonValueKind.Null, left.GetProperty("result").ValueKind);
            await hub.CloseAsync(Ct);
        }

        // 5. Sign-in data, once, not cached.
        var signIn = await console.PostAsync($"requests/{requestId}/sign-in-data", null, Ct);
        Assert.Equal(HttpStatusCode.OK, signIn.Status);
        Assert.Equal((OtpAccount, "Room-Pass-1234!"), (signIn.Text("upn"), signIn.Text("password")));
        Assert.True(signIn.NoStore);
        var again = await console.PostAsync($"requests/{requestId}/sign-in-data", null, Ct);
        Assert.Equal((HttpStatusCode.Conflict, "sign_in_data_unavailable"), (again.Status, again.Code));
        Assert.Equal("SignedIn", (await console.GetAsync($"requests/{requestId}", Ct)).Text("status"));

        // A reconnect without negotiating (section 5 allows it): a socket straight away; Watch returns the current status.
        await using (var reconnected = await RawHub.ConnectAsync(_portal.ServerAddress, console.Token!, Ct, negotiate: false))
        {
            var current = await reconnected.InvokeAsync("Watch", requestId, Ct);
            Assert.Equal("SignedIn", current.GetProperty("result").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_console_built_from_the_document_sets_up_by_manual_setup()
    {
        await _admin.CreateAccountAsync(ManualAccount, ManualPassword, ct: Ct);
        using var console = new RawConsole(_portal.ServerAddress, Make, Model, "NW-RAW-0002");
        await console.VerifyAsync(_manufacturer, Ct);
        var agreement = await console.GetAsync("agreement", Ct, credential: false);

        var early = await console.PostAsync("manual-setup", new { email = ManualAccount, password = ManualPassword }, Ct);
        await console.PostAsync("agreement", new { version = agreement.Text("version") }, Ct);
        var wrong = await console.PostAsync("manual-setup", new { email = ManualAccount, password = "not-it" }, Ct);
        var done = await console.PostAsync("manual-setup", new { email = ManualAccount.ToUpperInvariant(), password = ManualPassword }, Ct);

        Assert.Equal((HttpStatusCode.Conflict, "agreement_required"), (early.Status, early.Code));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_credentials", ""), (wrong.Status, wrong.Code, wrong.WwwAuthenticate));
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.Equal(ManualAccount, done.Text("accountUpn"));
    }

    [Fact]
    public async Task Verifying_again_revokes_the_old_credential_and_its_hub_connection_is_told_then_closed()
    {
        using var console = new RawConsole(_portal.ServerAddress, Make, Model, "NW-RAW-0003");
        await console.VerifyAsync(_manufacturer, Ct);
        var oldToken = console.Token!;
        await using var hub = await RawHub.ConnectAsync(_portal.ServerAddress, oldToken, Ct);

        await console.VerifyAsync(_manufacturer, Ct);
        var refused = await RawCallWithTokenAsync(oldToken);
        _clock.Advance(ConsoleCredentialSweep.Interval);
        var told = await hub.NextAsync(m => RawHub.IsInvocationOf(m, "CredentialExpired"), Ct).WaitAsync(Patience, Ct);
        var close = await hub.NextAsync(m => m.GetProperty("type").GetInt32() == 7, Ct).WaitAsync(Patience, Ct);
        var end = await hub.NextAsync(_ => true, Ct).WaitAsync(Patience, Ct);

        Assert.Equal((HttpStatusCode.Unauthorized, "device_credential_required", "Bearer"), (refused.Status, refused.Code, refused.WwwAuthenticate));
        Assert.Equal("Revoked", told!.Value.GetProperty("arguments")[0].GetProperty("reason").GetString());
        Assert.NotNull(close);
        Assert.Null(end);
        Assert.True(hub.SocketClosed);
        var withNewCredential = await console.GetAsync($"requests/{Guid.NewGuid()}", Ct);
        Assert.Equal((HttpStatusCode.NotFound, "request_not_found"), (withNewCredential.Status, withNewCredential.Code));
    }

    [Fact]
    public async Task After_Unwatch_a_connection_that_stays_open_gets_none_of_that_requests_pushes()
    {
        var accountA = await _admin.CreateAccountAsync("room-raw-5@contoso.com", ct: Ct);
        var accountB = await _admin.CreateAccountAsync("room-raw-6@contoso.com", ct: Ct);
        var codeA = await _admin.IssueOtpAsync(accountA, "room-raw-5@contoso.com", ct: Ct);
        var codeB = await _admin.IssueOtpAsync(accountB, "room-raw-6@contoso.com", ct: Ct);
        using var console = new RawConsole(_portal.ServerAddress, Make, Model, "NW-RAW-0005");
        await console.VerifyAsync(_manufacturer, Ct);
        var agreement = await console.GetAsync("agreement", Ct, credential: false);
        await console.PostAsync("agreement", new { version = agreement.Text("version") }, Ct);
        var a = (await console.PostAsync("otp/redeem", new { code = codeA.Code }, Ct)).Text("requestId");
        var b = (await console.PostAsync("otp/redeem", new { code = codeB.Code }, Ct)).Text("requestId");
        await using var hub = await RawHub.ConnectAsync(_portal.ServerAddress, console.Token!, Ct);
        await using var witness = await RawHub.ConnectAsync(_portal.ServerAddress, console.Token!, Ct, negotiate: false);

        await hub.InvokeAsync("Watch", a, Ct);
        var unwatched = await hub.InvokeAsync("Unwatch", a, Ct);
        var malformed = await hub.InvokeAsync("Unwatch", "not-a-guid", Ct);
        var unknown = await hub.InvokeAsync("Unwatch", Guid.NewGuid().ToString(), Ct);
        await hub.InvokeAsync("Watch", b, Ct);
        await witness.InvokeAsync("Watch", a, Ct);

        // A's push reached the witness, so it went out before B was approved: had the first connection still been in
        // A's group, A's push would be the first it saw. It sees B's.
        await _admin.ApproveAsync(Guid.Parse(a), Ct);
        var pushedA = await witness.NextAsync(m => RawHub.IsInvocationOf(m, "StatusChanged"), Ct).WaitAsync(Patience, Ct);
        await _admin.ApproveAsync(Guid.Parse(b), Ct);
        var firstSeen = await hub.NextAsync(m => RawHub.IsInvocationOf(m, "StatusChanged"), Ct).WaitAsync(Patience, Ct);

        Assert.False(unwatched.TryGetProperty("error", out _));
        Assert.Equal(JsonValueKind.Null, unwatched.GetProperty("result").ValueKind);
        Assert.StartsWith("invalid_request: ", malformed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("request_not_found: ", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(a, pushedA!.Value.GetProperty("arguments")[0].GetProperty("requestId").GetString());
        Assert.Equal(b, firstSeen!.Value.GetProperty("arguments")[0].GetProperty("requestId").GetString());
    }

    /// <summary>
    /// Unknown console routes and wrong methods are 404/405 problem documents, even with a valid credential (a console
    /// must not mistake them for an expired credential). The generic /api handler comes from the production-path work.
    /// </summary>
    [Fact]
    public async Task Unknown_console_routes_and_methods_answer_404_and_405_problem_documents()
    {
        using var console = new RawConsole(_portal.ServerAddress, Make, Model, "NW-RAW-0004");
        await console.VerifyAsync(_manufacturer, Ct);

        var wrongMethod = await console.GetAsync("verification", Ct);
        var notAGuid = await console.GetAsync("requests/not-a-guid", Ct);
        var noSuchCall = await console.PostAsync("no-such-call", new { }, Ct);

        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method_not_allowed", "application/problem+json"), (wrongMethod.Status, wrongMethod.Code, wrongMethod.ContentType));
        Assert.Equal((HttpStatusCode.NotFound, "not_found", "application/problem+json"), (notAGuid.Status, notAGuid.Code, notAGuid.ContentType));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (noSuchCall.Status, noSuchCall.Code));
    }

    private async Task<RawConsole.Answer> RawCallWithTokenAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = _portal.ServerAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/console/v1/requests/{Guid.NewGuid()}", UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, Ct);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return new RawConsole.Answer(response.StatusCode, json.RootElement.Clone(), response.Content.Headers.ContentType?.MediaType, false,
            response.Headers.WwwAuthenticate.ToString(), null);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")]
    private static partial Regex WireTime();
}
