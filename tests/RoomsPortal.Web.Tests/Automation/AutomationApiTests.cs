using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.V1;
using RoomsPortal.Web.Security;
using static RoomsPortal.Web.Tests.Automation.ApiTestKit;

namespace RoomsPortal.Web.Tests.Automation;

/// <summary>
/// The automation API as a script meets it: the portal in Production on an empty database, driven over HTTP with an
/// API key only (no browser, no Core calls for what the API does), and every refusal a problem document that writes nothing.
/// </summary>
public sealed class AutomationApiTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new PortalFactory().InProduction();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_key_drives_the_whole_provisioning_flow_and_the_audit_log_names_it()
    {
        using var api = await _portal.ClientWithKeyAsync("rollout-script", PortalRoles.RoomsProManager);
        using var manufacturer = new TestManufacturer();
        await manufacturer.RegisterAsync(_portal.Services, Ct);

        using var created = await api.PostAsJsonAsync("/api/v1/room-groups", new { name = "Building 7" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var import = await api.PostAsync("/api/v1/resource-accounts/import", Csv("upn,display name,room group\nroom-7.01@contoso.example,Room 7.01,Building 7\n"), Ct);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var accounts = await api.GetFromJsonAsync<JsonElement>("/api/v1/resource-accounts?search=room-7.01", Ct);
        Assert.Equal(1, accounts.GetProperty("total").GetInt32());
        var accountId = accounts.GetProperty("items")[0].GetProperty("id").GetGuid();

        var batch = await PostBatchAsync(api, accountId, "batch-7-a");
        Assert.Equal(HttpStatusCode.Created, batch.StatusCode);
        var issued = JsonDocument.Parse(await batch.Content.ReadAsStringAsync(Ct)).RootElement;
        var code = issued.GetProperty("codes")[0].GetProperty("code").GetString()!;
        var password = issued.GetProperty("codes")[0].GetProperty("password").GetString()!;

        using var http = _portal.CreateDefaultClient();
        var console = new ConsoleSetupClient(http, manufacturer.Console("SN-API-7"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        var redeemed = await console.RedeemOtpAsync(code, Ct);
        Assert.Equal(SetupStatus.Pending, redeemed.Status);

        var pending = await api.GetFromJsonAsync<JsonElement>("/api/v1/approval-requests?status=Pending", Ct);
        var requestId = pending.GetProperty("items")[0].GetProperty("id").GetGuid();
        Assert.Equal(redeemed.RequestId, requestId);
        using var approved = await api.PostAsync($"/api/v1/approval-requests/{requestId}/approve", null, Ct);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        using var second = await api.PostAsync($"/api/v1/approval-requests/{requestId}/approve", null, Ct);
        Assert.Equal((HttpStatusCode.Conflict, "already_decided"), (second.StatusCode, await CodeAsync(second)));

        Assert.Equal(SetupStatus.Approved, (await console.GetStatusAsync(requestId, Ct)).Status);
        Assert.Equal(password, (await console.ClaimSignInDataAsync(requestId, Ct)).Password);
        var devices = await api.GetFromJsonAsync<JsonElement>("/api/v1/devices", Ct);
        Assert.Equal("SN-API-7", devices.GetProperty("items")[0].GetProperty("serial").GetString());

        var audit = await _portal.AuditAsync();
        foreach (var operation in new[] { AuditOperations.RoomGroupCreated, AuditOperations.OtpGenerated, AuditOperations.RequestApproved })
        {
            var entry = Assert.Single(audit, e => e.Operation == operation);
            Assert.Equal("API key rollout-script", entry.ActorName);
        }

        Assert.DoesNotContain(audit, e => (e.Details ?? string.Empty).Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_retried_batch_with_the_same_idempotency_key_issues_nothing_again()
    {
        using var api = await _portal.ClientWithKeyAsync("retry-script", PortalRoles.RoomsProManager);
        var accountId = await new PortalProvisioning(_portal.Services).CreateAccountAsync("room-8.01@contoso.example", ct: Ct);

        using var first = await PostBatchAsync(api, accountId, "same-key-1");
        using var retry = await PostBatchAsync(api, accountId, "same-key-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_key_used"), (retry.StatusCode, await CodeAsync(retry)));
        var batchId = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("batchId").GetGuid();
        Assert.Equal(batchId, JsonDocument.Parse(await retry.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("batchId").GetGuid());
        Assert.Single(await _portal.AuditAsync(), e => e.Operation == AuditOperations.OtpGenerated);
        using var other = await PostBatchAsync(api, accountId, "same-key-2");
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);

        // The same key for another request (a script that reuses its key by mistake) is told so, and issues nothing.
        var secondAccount = await new PortalProvisioning(_portal.Services).CreateAccountAsync("room-8.02@contoso.example", ct: Ct);
        using var reused = await PostBatchAsync(api, secondAccount, "same-key-1");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "idempotency_key_reused"), (reused.StatusCode, await CodeAsync(reused)));
        Assert.Equal(2, (await _portal.AuditAsync()).Count(e => e.Operation == AuditOperations.OtpGenerated));
    }

    [Theory]
    [InlineData("""{"name":"Building 9","colour":"blue"}""", "a field this call does not take")]
    [InlineData("""{"name":42}""", "not valid JSON")]
    [InlineData("""{}""", "a required field is missing")]
    [InlineData("""{"name":"Building\u202E9"}""", "invisible formatting")]
    public async Task Bad_bodies_are_problem_documents_and_write_nothing(string body, string says)
    {
        using var api = await _portal.ClientWithKeyAsync("bad-input", PortalRoles.RoomsProManager);
        var before = (await _portal.AuditAsync()).Count;

        using var response = await api.PostAsync("/api/v1/room-groups", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(before, (await _portal.AuditAsync()).Count);
        Assert.Empty(await api.GetFromJsonAsync<JsonElement[]>("/api/v1/room-groups", Ct) ?? []);
    }

    [Fact]
    public async Task An_oversized_body_is_refused_before_it_is_read()
    {
        using var api = await _portal.ClientWithKeyAsync("big", PortalRoles.RoomsProManager);

        using var response = await api.PostAsync("/api/v1/room-groups",
            new StringContent($$"""{"name":"{{new string('x', AutomationApi.MaxBodyBytes)}}"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, await CodeAsync(response)));
        Assert.Contains("larger than", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_csv_larger_than_the_import_limit_is_refused_while_it_streams_and_imports_nothing()
    {
        using var api = await _portal.ClientWithKeyAsync("chunked", PortalRoles.RoomsProManager);
        var rows = new StringBuilder("upn,display name,room group\n");
        for (var i = 0; rows.Length <= Core.Csv.CsvLimits.MaxBytes; i++)
        {
            rows.Append(CultureInfo.InvariantCulture, $"room-{i}@contoso.example,Room {i},\n");
        }

        using var content = new UnsizedContent(Encoding.UTF8.GetBytes(rows.ToString()));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/resource-accounts/import") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await api.SendAsync(request, Ct);

        Assert.Null(request.Content.Headers.ContentLength);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, await CodeAsync(response)));
        Assert.Contains("larger than", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, (await api.GetFromJsonAsync<JsonElement>("/api/v1/resource-accounts", Ct)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Expired_revoked_unknown_and_wrong_network_keys_are_refused_with_their_own_code()
    {
        var keys = _portal.Services.GetRequiredService<ApiKeyService>();
        var dbFactory = _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var past = new ApiKeyService(dbFactory, new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-3)));
        var expired = (await past.CreateAsync(new NewApiKey("old", PortalRoles.RoomsProManager, [], ExpiresInDays: 1), Manager, Ct)).Value.Key;
        var revoked = (await keys.CreateAsync(new NewApiKey("gone", PortalRoles.RoomsProManager, []), Manager, Ct)).Value;
        await keys.RevokeAsync(revoked.View.Id, Manager, Ct);
        var elsewhere = (await keys.CreateAsync(new NewApiKey("office-only", PortalRoles.RoomsProManager, [], AllowedNetworks: ["10.20.0.0/16"]), Manager, Ct)).Value.Key;
        var wrongSecret = revoked.Key[..^4] + "AAAA";

        Assert.Equal("api_key_expired", await RefusalAsync(expired));
        Assert.Equal("api_key_revoked", await RefusalAsync(revoked.Key));
        Assert.Equal("api_key_network", await RefusalAsync(elsewhere));
        Assert.Equal("api_key_invalid", await RefusalAsync(wrongSecret));
        Assert.Equal("api_key_invalid", await RefusalAsync("rpk_notakey"));
        Assert.Equal("authentication_required", await RefusalAsync(null));
    }

    [Fact]
    public async Task A_signed_in_browser_cookie_is_not_an_api_credential()
    {
        using var browser = _portal.CreateClientAs(PortalRoles.RoomsProManager);

        using var response = await browser.PostAsJsonAsync("/api/v1/room-groups", new { name = "Cookie group" }, Ct);

        Assert.Equal((HttpStatusCode.Unauthorized, "authentication_required"), (response.StatusCode, await CodeAsync(response)));
    }

    [Fact]
    public async Task A_key_acts_with_exactly_its_role_and_room_groups()
    {
        var groups = _portal.Services.GetRequiredService<Core.RoomGroups.RoomGroupService>();
        var north = (await groups.CreateAsync("North", Manager, Ct)).Value!;
        await groups.CreateAsync("South", Manager, Ct);
        using var helpdesk = await _portal.ClientWithKeyAsync("helpdesk-script", PortalRoles.Helpdesk, north.Id);
        using var lead = await _portal.ClientWithKeyAsync("lead-script", PortalRoles.SiteLead, north.Id);

        var seen = await helpdesk.GetFromJsonAsync<JsonElement[]>("/api/v1/room-groups", Ct);
        Assert.Equal(["North"], seen!.Select(g => g.GetProperty("name").GetString()));
        using var helpdeskBatch = await helpdesk.PostAsJsonAsync("/api/v1/otp-batches", new { accountIds = new[] { Guid.NewGuid() }, passwordMode = "GeneratePasswords" }, Ct);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (helpdeskBatch.StatusCode, await CodeAsync(helpdeskBatch)));
        using var leadGroup = await lead.PostAsJsonAsync("/api/v1/room-groups", new { name = "West" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, leadGroup.StatusCode);
        using var leadKey = await lead.PostAsJsonAsync("/api/v1/api-keys", new { name = "escalate", role = "RoomsProManager" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, leadKey.StatusCode);
    }

    [Fact]
    public async Task A_key_cannot_make_keys_so_a_leaked_limited_key_cannot_mint_an_unlimited_one()
    {
        var keys = _portal.Services.GetRequiredService<ApiKeyService>();
        var limited = (await keys.CreateAsync(new NewApiKey("limited", PortalRoles.RoomsProManager, [], ExpiresInDays: 1), Manager, Ct)).Value.Key;
        using var api = _portal.CreateAnonymousClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", limited);

        using var response = await api.PostAsJsonAsync("/api/v1/api-keys", new { name = "forever", role = "RoomsProManager", expiresInDays = 365 }, Ct);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, await CodeAsync(response)));
        Assert.Contains("not by another key", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(["limited"], (await keys.ListAsync(Ct)).Select(k => k.Name));
    }

    [Theory]
    [InlineData("/api/v1/devices?page=2147483647")]
    [InlineData("/api/v1/resource-accounts?page=0")]
    [InlineData("/api/v1/approval-requests?pageSize=201")]
    public async Task Pages_out_of_range_are_a_clear_400_not_an_overflow(string path)
    {
        using var api = await _portal.ClientWithKeyAsync("pager", PortalRoles.RoomsProManager);

        using var response = await api.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, await CodeAsync(response)));
    }

    [Fact]
    public async Task The_openapi_document_is_valid_openapi_3_1_and_every_endpoint_has_a_summary_responses_and_a_policy()
    {
        using var api = await _portal.ClientWithKeyAsync("docs", PortalRoles.Helpdesk, (await _portal.Services.GetRequiredService<Core.RoomGroups.RoomGroupService>().CreateAsync("Docs", Manager, Ct)).Value!.Id);

        var json = await api.GetStringAsync(AutomationApi.OpenApiPath, Ct);
        var read = OpenApiDocument.Parse(json, "json");

        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic?.SpecificationVersion);
        var document = read.Document!;
        Assert.Contains(ApiKeyAuthenticationHandler.SchemeName, document.Components!.SecuritySchemes!.Keys);
        var operations = document.Paths.SelectMany(p => p.Value.Operations!.Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value))).ToList();
        Assert.True(operations.Count >= 14, $"only {operations.Count} operations documented");
        Assert.All(operations, o =>
        {
            Assert.StartsWith("/api/v1/", o.Path, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.Summary), $"{o.Method} {o.Path} has no summary");
            Assert.Contains(o.Operation.Responses!.Keys, k => k.StartsWith('2'));
            Assert.Contains("401", o.Operation.Responses!.Keys);
        });

        var endpoints = _portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(AutomationApi.Root, StringComparison.Ordinal) == true).ToList();
        Assert.Equal(operations.Count, endpoints.Count);
        Assert.All(endpoints, e => Assert.Contains(e.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => a.Policy?.StartsWith("Api.", StringComparison.Ordinal) == true));
    }

    private async Task<string?> RefusalAsync(string? key)
    {
        using var client = _portal.CreateAnonymousClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await client.GetAsync(new Uri("/api/v1/room-groups", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return await CodeAsync(response);
    }

    private static async Task<HttpResponseMessage> PostBatchAsync(HttpClient api, Guid accountId, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/otp-batches")
        {
            Content = JsonContent.Create(new { accountIds = new[] { accountId }, passwordMode = "GeneratePasswords" }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await api.SendAsync(request, Ct);
    }

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    /// <summary>A body without a declared length, as a streaming upload sends it (chunked).</summary>
    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
