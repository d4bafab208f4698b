using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Verification;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

public sealed class DeviceVerificationApiTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new PortalFactory().UseRealPort();
    private readonly TestManufacturer _contoso = new();
    private HttpClient _http = default!;

    public async ValueTask InitializeAsync()
    {
        _http = new HttpClient { BaseAddress = _portal.ServerAddress };
        await _contoso.RegisterAsync(_portal.Services, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Certified_console_gets_a_credential_that_opens_device_calls()
    {
        var client = new ConsoleSetupClient(_http, _contoso.Console("SN-100"));

        var verified = await client.VerifyDeviceAsync(TestContext.Current.CancellationToken);
        await client.AcceptAgreementAsync("2026-01", TestContext.Current.CancellationToken);

        Assert.StartsWith("rpc_", verified.DeviceToken, StringComparison.Ordinal);
        Assert.False(verified.AgreementAccepted);
        var again = await client.VerifyDeviceAsync(TestContext.Current.CancellationToken);
        Assert.True(again.AgreementAccepted, "the accepted agreement is recorded for the device");
    }

    [Theory]
    [InlineData("no-module", ConsoleErrorCodes.VerificationInfoNotFound, VerificationFailureReason.VerificationInfoNotFound, "HDMI ingest module")]
    [InlineData("uncertified", ConsoleErrorCodes.DeviceNotCertified, VerificationFailureReason.DeviceNotCertified, "certified")]
    [InlineData("tampered", ConsoleErrorCodes.VerificationInfoInvalid, VerificationFailureReason.VerificationInfoInvalid, "HDMI ingest module")]
    public async Task Each_verification_failure_is_answered_and_recorded_with_troubleshooting(
        string kind, string code, VerificationFailureReason reason, string step)
    {
        var device = kind switch
        {
            "no-module" => _contoso.ConsoleWithoutIngestModule("SN-200"),
            "uncertified" => _contoso.UncertifiedConsole("SN-200"),
            _ => _contoso.Console("SN-999") with { SerialNumber = "SN-200" },
        };
        var client = new ConsoleSetupClient(_http, device);

        var error = await Assert.ThrowsAsync<ConsoleApiException>(() => client.VerifyDeviceAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Status);
        Assert.Equal(code, error.Code);
        Assert.Contains(error.Troubleshooting, s => s.Contains(step, StringComparison.Ordinal));
        Assert.Contains(error.Troubleshooting, s => s.Contains("manufacturer or the seller", StringComparison.Ordinal));
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        var failure = await db.Set<VerificationFailure>().SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(reason, failure.Reason);
        Assert.Equal("SN-200", failure.SerialNumber);
        Assert.Equal("127.0.0.1", failure.SourceAddress);
    }

    [Theory]
    [InlineData("{\"make\":\"Contoso\"", "not valid JSON")]
    [InlineData("{\"make\":\"\",\"model\":\"M\",\"serialNumber\":\"S\"}", "make is required")]
    [InlineData("[1,2]", "not valid JSON")]
    public async Task Malformed_verification_gets_400_naming_the_problem_and_writes_nothing(string json, string expected)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await _http.PostAsync(new Uri("api/console/v1/verification", UriKind.Relative), content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"code\":\"invalid_request\"", body, StringComparison.Ordinal);
        Assert.Contains(expected, body, StringComparison.Ordinal);
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, await db.Set<VerificationFailure>().CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.Set<ConsoleSession>().CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Oversized_body_is_refused()
    {
        using var content = new StringContent("{\"make\":\"" + new string('x', 20_000) + "\"}", Encoding.UTF8, "application/json");

        using var response = await _http.PostAsync(new Uri("api/console/v1/verification", UriKind.Relative), content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("larger than", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_current_agreement_is_served_without_a_credential_and_only_its_version_is_accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new ConsoleSetupClient(_http, _contoso.Console("SN-EULA-1"));

        var agreement = await client.GetAgreementAsync(ct);
        await client.VerifyDeviceAsync(ct);
        var old = await Assert.ThrowsAsync<ConsoleApiException>(() => client.AcceptAgreementAsync("2025-07", ct));
        var bell = await Assert.ThrowsAsync<ConsoleApiException>(() => client.AcceptAgreementAsync(agreement.Version + "\u0007", ct));
        using var mismatch = await PostAgreementAsync(client, "2025-07");
        await client.AcceptAgreementAsync(agreement.Version, ct);

        Assert.Equal((Core.Verification.AgreementService.BuiltIn.Version, Core.Verification.AgreementService.BuiltIn.Text), (agreement.Version, agreement.Text));
        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.AgreementVersionMismatch), (old.Status, old.Code));
        Assert.Equal((HttpStatusCode.BadRequest, ConsoleErrorCodes.InvalidRequest), (bell.Status, bell.Code));
        using var problem = System.Text.Json.JsonDocument.Parse(await mismatch.Content.ReadAsStringAsync(ct));
        Assert.Equal(agreement.Version, problem.RootElement.GetProperty("currentVersion").GetString());
        Assert.True((await client.VerifyDeviceAsync(ct)).AgreementAccepted);
    }

    [Fact]
    public async Task Device_calls_without_a_credential_get_401_problem()
    {
        using var response = await _http.PostAsJsonAsync(
            new Uri("api/console/v1/agreement", UriKind.Relative), new AcceptAgreementRequest("1"), ConsoleJson.Options, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(ConsoleErrorCodes.CredentialRequired, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verification_is_throttled_per_source_address_with_retry_after()
    {
        var client = new ConsoleSetupClient(_http, _contoso.ConsoleWithoutIngestModule("SN-300"));
        for (var i = 0; i < Api.Console.ConsoleRateLimits.VerificationPerMinute; i++)
        {
            var failed = await Assert.ThrowsAsync<ConsoleApiException>(() => client.VerifyDeviceAsync(TestContext.Current.CancellationToken));
            Assert.Equal(ConsoleErrorCodes.VerificationInfoNotFound, failed.Code);
        }

        var throttled = await Assert.ThrowsAsync<ConsoleApiException>(() => client.VerifyDeviceAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
        Assert.Equal(ConsoleErrorCodes.TooManyAttempts, throttled.Code);
        Assert.NotNull(throttled.RetryAfter);
    }

    private async Task<HttpResponseMessage> PostAgreementAsync(ConsoleSetupClient client, string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/console/v1/agreement", UriKind.Relative))
        {
            Content = JsonContent.Create(new AcceptAgreementRequest(version), options: ConsoleJson.Options),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", client.Verification!.DeviceToken);
        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
