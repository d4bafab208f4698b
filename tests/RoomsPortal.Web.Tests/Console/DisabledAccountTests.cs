using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// Disabling a resource account after its console was approved keeps the password in the portal: the console's fetch
/// gets 409 <c>account_disabled</c> (docs/console-protocol.md section 6). Production, empty database, real port.
/// </summary>
public sealed class DisabledAccountTests : IAsyncLifetime
{
    private const string Upn = "room-4.12@contoso.com";
    private const string Password = "Room-Pass-1234!";

    private readonly PortalFactory _portal = new PortalFactory().InProduction().UseRealPort();
    private readonly TestManufacturer _contoso = new();
    private HttpClient _http = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _contoso.RegisterAsync(_portal.Services, Ct);
        _http = new HttpClient { BaseAddress = _portal.ServerAddress };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task The_sign_in_data_of_an_account_disabled_after_approval_is_refused_with_409_account_disabled()
    {
        var admin = new PortalProvisioning(_portal.Services);
        await admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var account = await admin.CreateAccountAsync(Upn, Password, ct: Ct);
        var otp = await admin.IssueOtpAsync(account, Upn, Password, Ct);
        var console = new ConsoleSetupClient(_http, _contoso.Console("SN-DIS-1"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);
        await admin.ApproveAsync(redeemed.RequestId, Ct);
        await _portal.Services.GetRequiredService<ResourceAccountService>().SetEnabledAsync(account, false, PortalProvisioning.Admin, AccessScope.All, Ct);

        // Raw HTTP as the protocol document describes the call.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/console/v1/requests/{redeemed.RequestId}/sign-in-data");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", console.Verification!.DeviceToken);
        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(Ct);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(ConsoleErrorCodes.AccountDisabled, problem.RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain(Password, body, StringComparison.Ordinal);
        var sdk = await Assert.ThrowsAsync<ConsoleApiException>(() => console.ClaimSignInDataAsync(redeemed.RequestId, Ct));
        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.AccountDisabled), (sdk.Status, sdk.Code));
    }
}
