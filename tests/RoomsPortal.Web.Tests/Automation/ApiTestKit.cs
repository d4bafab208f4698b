using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Automation;

/// <summary>What the automation API tests share: a client holding a new key, a problem's code, the audit log, JSON bodies.</summary>
internal static class ApiTestKit
{
    /// <summary>The person who makes the keys (as on Settings &gt; API keys).</summary>
    public static readonly Actor Manager = Actor.User("manager-1", "Mia Manager");

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A client that sends a new key of <paramref name="role"/> (scoped to <paramref name="roomGroups"/>) and nothing else.</summary>
    public static async Task<HttpClient> ClientWithKeyAsync(this PortalFactory portal, string name, string role, params Guid[] roomGroups)
    {
        var client = portal.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await portal.NewKeyAsync(name, role, roomGroups));
        return client;
    }

    /// <summary>A new API key of <paramref name="role"/>, made as Settings > API keys makes it.</summary>
    public static async Task<string> NewKeyAsync(this PortalFactory portal, string name, string role, params Guid[] roomGroups)
    {
        var created = await portal.Services.GetRequiredService<ApiKeyService>().CreateAsync(new NewApiKey(name, role, roomGroups), Manager, Ct);
        Assert.True(created.Succeeded, created.Error?.ToString());
        return created.Value.Key;
    }

    /// <summary>The problem document's stable <c>code</c>, or null.</summary>
    public static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await JsonAsync(response)).TryGetProperty("code", out var code) ? code.GetString() : null;

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();

    /// <summary>The whole audit log, newest first, as the Audit page reads it.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> AuditAsync(this PortalFactory portal) =>
        (await portal.Services.GetRequiredService<AuditService>().QueryAsync(new AuditQuery(PageSize: 200), Ct)).Items;

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Asserts a 400 problem document naming <paramref name="field"/> (in <c>errors</c>).</summary>
    public static async Task AssertInvalidAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        var problem = await JsonAsync(response);
        Assert.Equal("invalid_request", problem.GetProperty("code").GetString());
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"the problem does not name {field}: {problem}");
    }
}
