using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Automation;

/// <summary>
/// API keys and the caller's address, as production sees it: the portal on a real port in Production behind a trusted
/// TLS proxy that reports each client's address (a test server has no remote address at all, so it cannot show this).
/// </summary>
public sealed class ApiKeyNetworkTests : IAsyncLifetime
{
    private static readonly Actor Manager = Actor.User("manager-1", "Mia Manager");
    private readonly PortalFactory _portal = new PortalFactory().InProduction().UseRealPort()
        .WithSetting("ForwardedHeaders:KnownProxies:0", "127.0.0.1")
        .WithSetting(ApiKeyFailureThrottle.SettingName, "5");

    private readonly List<IAsyncDisposable> _proxies = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_key_limited_to_a_network_works_from_inside_it_and_is_refused_from_outside()
    {
        var key = await CreateKeyAsync("office-only", "10.20.0.0/16");
        using var inside = await ClientFromAsync("10.20.1.2");
        using var outside = await ClientFromAsync("192.0.2.7");

        using var allowed = await GetAsync(inside, key);
        using var refused = await GetAsync(outside, key);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, "api_key_network"), (refused.StatusCode, await CodeAsync(refused)));
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal("10.20.1.2", (await db.Set<ApiKey>().SingleAsync(Ct)).LastUsedFrom);
    }

    [Fact]
    public async Task An_address_that_sent_too_many_refused_keys_is_answered_429_before_its_key_is_checked_and_others_are_not()
    {
        var key = await CreateKeyAsync("nightly", null);
        using var scanner = await ClientFromAsync("203.0.113.9");
        using var script = await ClientFromAsync("10.20.1.2");

        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var guess = await GetAsync(scanner, "rpk_guessing_" + new string((char)('A' + attempt), 43));
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        using var blocked = await GetAsync(scanner, key);
        // The scheme name in any case (RFC 9110): a script that writes "bearer" is served.
        using var elsewhere = await GetAsync(script, key, scheme: "bearer");

        Assert.Equal((HttpStatusCode.TooManyRequests, "too_many_refused_keys"), (blocked.StatusCode, await CodeAsync(blocked)));
        Assert.InRange(int.Parse(blocked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    private async Task<string> CreateKeyAsync(string name, string? network)
    {
        var created = await _portal.Services.GetRequiredService<ApiKeyService>()
            .CreateAsync(new NewApiKey(name, PortalRoles.RoomsProManager, [], AllowedNetworks: network is null ? null : [network]), Manager, Ct);
        return created.Value.Key;
    }

    private async Task<HttpClient> ClientFromAsync(string address)
    {
        var proxy = await ForwardingProxy.StartAsync(_portal.ServerAddress, clientAddress: address, Ct);
        _proxies.Add(proxy);
        return new HttpClient(proxy.CreateClientHandler(new CookieContainer())) { BaseAddress = proxy.Address };
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string key, string scheme = "Bearer")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/room-groups");
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, key);
        return await client.SendAsync(request, Ct);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
}
