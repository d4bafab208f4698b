using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Verification;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Account;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Security;

namespace RoomsPortal.Web.Tests.ApiErrors;

/// <summary>Every error under /api is a problem document with a stable code, in Production as deployed.</summary>
public sealed class ApiErrorTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new PortalFactory().InProduction();
    private readonly TestManufacturer _contoso = new();
    private HttpClient _http = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _contoso.RegisterAsync(_portal.Services, Ct);
        _http = _portal.CreateDefaultClient();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task An_unhandled_exception_answers_500_internal_error_with_a_trace_id_and_no_exception_text()
    {
        await ProductionHttpsTests.BreakTableAsync<CertifiedModel>(_portal);
        var device = _contoso.Console("SN-BOOM-1");

        using var response = await _http.PostAsJsonAsync(
            new Uri("/api/console/v1/verification", UriKind.Relative),
            new VerifyDeviceRequest(device.Make, device.Model, device.SerialNumber, device.FirmwareVersion, device.VerificationInfo),
            ConsoleJson.Options,
            Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.InternalServerError, ConsoleErrorCodes.InternalError);
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        var body = problem.GetRawText();
        Assert.DoesNotContain("no such table", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sqlite", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        var logs = await _portal.ReadLogsAsync(Ct);
        Assert.Contains($"Unhandled exception in POST /api/console/v1/verification (trace {traceId})", logs, StringComparison.Ordinal);
        Assert.Contains("no such table", logs, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unknown_console_route_with_a_valid_credential_answers_404_not_found()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/console/v1/no-such-call");
        request.Headers.Authorization = await CredentialAsync("SN-404-1");

        using var response = await _http.SendAsync(request, Ct);

        await ProblemAsync(response, HttpStatusCode.NotFound, ConsoleErrorCodes.NotFound);
    }

    [Fact]
    public async Task A_wrong_method_on_a_console_route_answers_405_method_not_allowed_with_Allow()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/console/v1/otp/redeem");
        request.Headers.Authorization = await CredentialAsync("SN-405-1");

        using var response = await _http.SendAsync(request, Ct);

        await ProblemAsync(response, HttpStatusCode.MethodNotAllowed, ConsoleErrorCodes.MethodNotAllowed);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task An_unknown_api_address_answers_404_not_found_to_anyone()
    {
        using var response = await _http.GetAsync(new Uri("/api/whatever", UriKind.Relative), Ct);

        await ProblemAsync(response, HttpStatusCode.NotFound, ConsoleErrorCodes.NotFound);
    }

    [Fact]
    public async Task A_portal_api_without_sign_in_answers_401_unauthorized()
    {
        using var response = await _http.GetAsync(new Uri(AccountApi.MePath, UriKind.Relative), Ct);

        await ProblemAsync(response, HttpStatusCode.Unauthorized, ConsoleErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task Pages_keep_the_not_found_page()
    {
        using var browser = _portal.CreateClientAs(PortalRoles.Helpdesk);

        using var response = await browser.GetAsync(new Uri("/no-such-page", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private async Task<AuthenticationHeaderValue> CredentialAsync(string serial)
    {
        var console = new ConsoleSetupClient(_http, _contoso.Console(serial));
        var verified = await console.VerifyDeviceAsync(Ct);
        return new AuthenticationHeaderValue("Bearer", verified.DeviceToken);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        return problem;
    }
}
