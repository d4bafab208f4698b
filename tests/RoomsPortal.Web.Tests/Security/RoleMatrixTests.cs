using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.ConsoleClient;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Console;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

/// <summary>
/// Every endpoint (minimal APIs, Razor component pages, hubs, framework endpoints) and every public hub method has
/// exactly one rule below, and each rule is checked with real HTTP requests as anonymous, as each portal role
/// (a real sign-in cookie from <see cref="PortalFactory.CreateClientAs"/>) and as a console (a real device credential).
///
/// ADDING AN ENDPOINT: add one row to <see cref="Rules"/>, for example
///     Rule("POST /api/console/v1/otp/redeem", Access.Console),
///     Rule("GET /api/console/v1/requests/{requestId:guid}", Access.Console),
///     Rule("GET /approvals/{id}", Access.Provision, sample: "/approvals/6f1c0000-0000-0000-0000-000000000001"),
/// The key is "METHODS pattern" exactly as the failure message prints it (methods comma-separated, "*" for any).
/// Route values are filled with a fixed GUID unless <c>sample</c> gives a path. Access says who may get through
/// authorization (the endpoint may still answer 400/404/409 to a caller who passes: that counts as "allowed").
///
/// ADDING A HUB METHOD: add "HubClass.Method" to <see cref="HubMethodRules"/>, e.g. ["ConsoleHub.Watch"] = Access.Console.
/// The hub's endpoint (/hubs/console and /hubs/console/negotiate) also needs rows in <see cref="Rules"/>.
/// The test fails when an endpoint or hub method has no row, or when a row matches nothing.
/// </summary>
public sealed class RoleMatrixTests : IAsyncLifetime
{
    /// <summary>Who gets through authorization.</summary>
    public enum Access
    {
        /// <summary>Everyone, signed in or not ([AllowAnonymous]).</summary>
        Anonymous,

        /// <summary>Any signed-in portal user (the fallback policy).</summary>
        SignedIn,

        /// <summary><see cref="PortalPolicies.ReadOperations"/>: all three roles.</summary>
        ReadOperations,

        /// <summary><see cref="PortalPolicies.Provision"/>: Rooms Pro Manager and Site Lead.</summary>
        Provision,

        /// <summary><see cref="PortalPolicies.ManagePortal"/>: Rooms Pro Manager.</summary>
        ManagePortal,

        /// <summary>The console policy: a device credential only, never a portal cookie.</summary>
        Console,

        /// <summary>Automation API reads: an API key of any role; never a cookie, a device credential, an expired or revoked key.</summary>
        ApiRead,

        /// <summary>Automation API provisioning: a Rooms Pro Manager or Site Lead key.</summary>
        ApiProvision,

        /// <summary>Automation API management: a Rooms Pro Manager key.</summary>
        ApiManage,

        /// <summary>The OpenAPI document: a key of any role or a signed-in portal user; never a device credential, an expired or revoked key.</summary>
        ApiDocument,
    }

    private const string SampleId = "6f1c0000-0000-0000-0000-000000000001";

    private static readonly EndpointRule[] Rules =
    [
        // Portal pages
        Rule("GET,POST /", Access.ReadOperations),
        Rule("GET,POST /planning/resource-accounts", Access.Provision),
        Rule("GET,POST /planning/resource-accounts/generate-otp", Access.Provision),
        Rule("GET,POST /planning/resource-accounts/{Id:guid}", Access.Provision),
        Rule("GET,POST /planning/resource-accounts/otp-runs/{RunId:guid}", Access.Provision),
        Rule("GET,POST /approvals", Access.Provision),
        Rule("GET,POST /approvals/{RequestId:guid}", Access.Provision),
        Rule("GET,POST /devices", Access.ReadOperations),
        Rule("GET,POST /verification-failures", Access.ReadOperations),
        Rule("GET,POST /audit", Access.ManagePortal),
        Rule("GET,POST /settings", Access.ManagePortal),
        Rule("GET,POST /settings/users", Access.ManagePortal),
        Rule("GET,POST /settings/preferences", Access.ManagePortal),
        Rule("GET,POST /settings/room-groups", Access.ManagePortal),
        Rule("GET,POST /settings/device-catalog", Access.ManagePortal),
        Rule("GET,POST /settings/end-user-agreement", Access.ManagePortal),
        Rule("GET,POST /settings/api-keys", Access.ManagePortal),
        Rule("GET,POST /settings/notifications", Access.ManagePortal),
        Rule("GET,POST /not-found", Access.Anonymous),
        Rule("GET,POST /Error", Access.Anonymous),
        Rule("GET,POST /status/404", Access.Anonymous),
        Rule("GET,POST /status/{Status:int}", Access.Anonymous, sample: "/status/400"),

        // Account
        Rule("GET,POST /account/sign-in", Access.Anonymous),
        Rule("GET,POST /account/change-password", Access.SignedIn),
        Rule("GET,POST /account/access-denied", Access.Anonymous),
        Rule("POST /account/sign-out", Access.SignedIn),
        Rule("GET /api/portal/v1/me", Access.ReadOperations),

        // Automation API (docs/api.md): API keys only
        Rule("GET /api/v1/room-groups/", Access.ApiRead),
        Rule("POST /api/v1/room-groups/", Access.ApiManage),
        Rule("PATCH /api/v1/room-groups/{id:guid}", Access.ApiManage),
        Rule("DELETE /api/v1/room-groups/{id:guid}", Access.ApiManage),
        Rule("GET /api/v1/resource-accounts/", Access.ApiProvision),
        Rule("GET /api/v1/resource-accounts/{id:guid}", Access.ApiProvision),
        Rule("POST /api/v1/resource-accounts/import", Access.ApiProvision),
        Rule("POST /api/v1/otp-batches/", Access.ApiProvision),
        Rule("DELETE /api/v1/otp-batches/codes/{otpId:guid}", Access.ApiProvision),
        Rule("GET /api/v1/approval-requests/", Access.ApiProvision),
        Rule("POST /api/v1/approval-requests/{id:guid}/approve", Access.ApiProvision),
        Rule("POST /api/v1/approval-requests/{id:guid}/reject", Access.ApiProvision),
        Rule("GET /api/v1/devices", Access.ApiRead),
        Rule("GET /api/v1/api-keys/", Access.ApiManage),
        Rule("POST /api/v1/api-keys/", Access.ApiManage),
        Rule("DELETE /api/v1/api-keys/{id:guid}", Access.ApiManage),
        Rule("GET /api/v1/notification-channels/", Access.ApiManage),
        Rule("POST /api/v1/notification-channels/", Access.ApiManage),
        Rule("POST /api/v1/notification-channels/{id:guid}/test", Access.ApiManage),
        Rule("PUT /api/v1/notification-channels/{id:guid}/digest", Access.ApiManage),
        Rule("POST /api/v1/resource-accounts/{id:guid}/enable", Access.ApiProvision),
        Rule("POST /api/v1/resource-accounts/{id:guid}/disable", Access.ApiProvision),
        Rule("POST /api/v1/resource-accounts/assign-room-group", Access.ApiManage),
        Rule("GET /api/v1/otp-batches/{batchId:guid}/codes", Access.ApiProvision),
        Rule("GET /api/v1/approval-requests/{id:guid}", Access.ApiProvision),
        Rule("GET /api/v1/verification-failures/", Access.ApiRead),
        Rule("GET /api/v1/verification-failures/counts-by-model", Access.ApiRead),
        Rule("POST /api/v1/verification-failures/{id:guid}/resolve", Access.ApiRead),
        Rule("GET /api/v1/device-catalog/", Access.ApiManage),
        Rule("POST /api/v1/device-catalog/keys", Access.ApiManage),
        Rule("DELETE /api/v1/device-catalog/keys/{id:guid}", Access.ApiManage),
        Rule("POST /api/v1/device-catalog/models", Access.ApiManage),
        Rule("DELETE /api/v1/device-catalog/models/{id:guid}", Access.ApiManage),
        Rule("GET /api/v1/preferences/", Access.ApiManage),
        Rule("PUT /api/v1/preferences/", Access.ApiManage),
        Rule("GET /api/v1/audit-log/", Access.ApiManage),
        Rule("GET /api/v1/audit-log/export", Access.ApiManage),
        Rule("GET /api/v1/users/", Access.ApiManage),
        Rule("POST /api/v1/users/", Access.ApiManage),
        Rule("PUT /api/v1/users/{id}/role", Access.ApiManage),
        Rule("PUT /api/v1/users/{id}/email", Access.ApiManage),
        Rule("POST /api/v1/users/{id}/disable", Access.ApiManage),
        Rule("POST /api/v1/users/{id}/enable", Access.ApiManage),
        Rule("GET /openapi/v1.json", Access.ApiDocument),

        // The API reference page (Scalar) for signed-in portal users; its scripts and icon are the library's public
        // files (anonymous, like the other static assets): the document they render needs the sign-in.
        Rule("GET /reference/{documentName?}", Access.ReadOperations, sample: "/reference/v1"),
        Rule("GET /reference/scalar.js", Access.Anonymous),
        Rule("GET /reference/scalar.aspnetcore.js", Access.Anonymous),
        Rule("GET /reference/favicon.svg", Access.Anonymous),

        // Operator endpoints: the Prometheus scrape, for an API key of any role.
        Rule("* /metrics", Access.ApiRead),

        // Health probes
        Rule("* /health/live", Access.Anonymous),
        Rule("* /health/ready", Access.Anonymous),

        // Console protocol (docs/console-protocol.md)
        Rule("POST /api/console/v1/verification", Access.Anonymous),
        Rule("GET /api/console/v1/agreement", Access.Anonymous),
        Rule("POST /api/console/v1/agreement", Access.Console),
        Rule("POST /api/console/v1/otp/redeem", Access.Console),
        Rule("GET /api/console/v1/requests/{requestId:guid}", Access.Console),
        Rule("POST /api/console/v1/requests/{requestId:guid}/sign-in-data", Access.Console),
        Rule("POST /api/console/v1/manual-setup", Access.Console),
        Rule("* /hubs/console", Access.Console),
        Rule("* /hubs/console/negotiate", Access.Console),

        // Blazor's circuit: only signed-in portal users open one (the fallback policy).
        Rule("* /_blazor", Access.SignedIn),
        Rule("* /_blazor/negotiate", Access.SignedIn),
        Rule("* /_blazor/disconnect/", Access.SignedIn),
        Rule("* /_blazor/initializers/", Access.SignedIn),
        Rule("GET /_framework/opaque-redirect", Access.SignedIn),

        // Files outside the static asset manifest (Development only): closed like everything else.
        Rule("GET,HEAD /{**path:file}", Access.SignedIn, sample: "/no-such-file.txt"),
    ];

    private static readonly Dictionary<string, Access> HubMethodRules = new(StringComparer.Ordinal)
    {
        ["ConsoleHub.Watch"] = Access.Console,
        ["ConsoleHub.Unwatch"] = Access.Console,
    };

    // Every endpoint meets the expired and revoked keys from one address: more refusals than the per-address
    // throttle allows in a minute (ApiKeyNetworkTests covers that throttle).
    private readonly PortalFactory _portal = new PortalFactory().WithSetting(ApiKeyFailureThrottle.SettingName, "1000000");
    private readonly TestManufacturer _contoso = new();
    private readonly Dictionary<string, HttpClient> _callers = new(StringComparer.Ordinal);

    private static readonly string[] Callers =
    [
        "Anonymous", PortalRoles.RoomsProManager, PortalRoles.SiteLead, PortalRoles.Helpdesk, "Console",
        KeyOfRole + PortalRoles.RoomsProManager, KeyOfRole + PortalRoles.SiteLead, KeyOfRole + PortalRoles.Helpdesk, "Key:expired", "Key:revoked",
    ];

    private const string KeyOfRole = "Key:";

    public async ValueTask InitializeAsync()
    {
        _callers["Anonymous"] = _portal.CreateAnonymousClient();
        foreach (var role in PortalRoles.All)
        {
            _callers[role] = _portal.CreateClientAs(role);
        }

        await _contoso.RegisterAsync(_portal.Services, TestContext.Current.CancellationToken);
        using var http = _portal.CreateClient();
        var verified = await new ConsoleSetupClient(http, _contoso.Console("SN-MATRIX")).VerifyDeviceAsync(TestContext.Current.CancellationToken);
        var console = _portal.CreateAnonymousClient();
        console.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", verified.DeviceToken);
        _callers["Console"] = console;

        // API keys: one per role (Site Lead and Helpdesk scoped to a room group), one expired, one revoked.
        var ct = TestContext.Current.CancellationToken;
        var keys = _portal.Services.GetRequiredService<ApiKeyService>();
        var group = (await _portal.Services.GetRequiredService<RoomGroupService>().CreateAsync("Matrix", PortalProvisioning.Admin, ct)).Value!;
        foreach (var role in PortalRoles.All)
        {
            var key = await keys.CreateAsync(new NewApiKey("matrix-" + role, role, PortalRoles.IsScopedToRoomGroups(role) ? [group.Id] : []), PortalProvisioning.Admin, ct);
            _callers[KeyOfRole + role] = KeyClient(key.Value.Key);
        }

        var past = new ApiKeyService(_portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-2)));
        _callers["Key:expired"] = KeyClient((await past.CreateAsync(new NewApiKey("matrix-expired", PortalRoles.RoomsProManager, [], ExpiresInDays: 1), PortalProvisioning.Admin, ct)).Value.Key);
        var revoked = (await keys.CreateAsync(new NewApiKey("matrix-revoked", PortalRoles.RoomsProManager, []), PortalProvisioning.Admin, ct)).Value;
        await keys.RevokeAsync(revoked.View.Id, PortalProvisioning.Admin, ct);
        _callers["Key:revoked"] = KeyClient(revoked.Key);
    }

    private HttpClient KeyClient(string key)
    {
        var client = _portal.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _callers.Values)
        {
            client.Dispose();
        }

        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public void Every_endpoint_has_exactly_one_rule_and_every_rule_an_endpoint()
    {
        var endpoints = AppEndpoints().Select(e => e.Key).ToList();
        var rules = Rules.Select(r => r.Key).ToList();

        var missing = endpoints.Except(rules).ToList();
        var stale = rules.Except(endpoints).ToList();
        Assert.True(
            missing.Count == 0 && stale.Count == 0 && rules.Distinct().Count() == rules.Count,
            $"Endpoints without a rule (add a row to RoleMatrixTests.Rules): {Format(missing)}\nRules that match no endpoint: {Format(stale)}");
    }

    [Fact]
    public async Task Every_endpoint_admits_exactly_the_callers_its_rule_allows()
    {
        var failures = new StringBuilder();
        foreach (var rule in Rules)
        {
            foreach (var caller in Callers)
            {
                var expected = Expected(rule.Access, caller);
                var actual = await CallAsync(_callers[caller], rule);
                if (!Matches(expected, actual.Outcome))
                {
                    failures.AppendLine($"{rule.Key} as {caller}: expected {expected}, got {actual.Outcome} ({actual.Detail})");
                }
            }
        }

        Assert.True(failures.Length == 0, "Role matrix violations:\n" + failures);
    }

    [Fact]
    public void Every_public_hub_method_has_a_rule_that_matches_its_authorize_attributes()
    {
        var hubs = typeof(Program).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Hub)) && !t.IsAbstract);
        var methods = hubs.SelectMany(h => h.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName && m.Name is not ("OnConnectedAsync" or "OnDisconnectedAsync" or "Dispose"))
                .Select(m => (Key: $"{h.Name}.{m.Name}", Hub: h, Method: m)))
            .ToList();

        var missing = methods.Select(m => m.Key).Except(HubMethodRules.Keys).ToList();
        var stale = HubMethodRules.Keys.Except(methods.Select(m => m.Key)).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0, $"Hub methods without a rule: {Format(missing)}\nHub rules that match no method: {Format(stale)}");

        foreach (var (key, hub, method) in methods)
        {
            var data = hub.GetCustomAttributes<AuthorizeAttribute>(true).Concat(method.GetCustomAttributes<AuthorizeAttribute>(true)).ToList();
            var anonymous = method.GetCustomAttribute<AllowAnonymousAttribute>() is not null || hub.GetCustomAttribute<AllowAnonymousAttribute>() is not null;
            var access = HubMethodRules[key];
            if (access == Access.Anonymous)
            {
                Assert.True(anonymous, $"{key} is Anonymous in the table but has no [AllowAnonymous].");
                continue;
            }

            Assert.False(anonymous, $"{key} has [AllowAnonymous] but the table says {access}.");
            Assert.True(data.Any(a => a.Policy == PolicyOf(access)), $"{key}: the table says {access}, so the hub or method needs [Authorize(Policy = \"{PolicyOf(access)}\")].");
        }
    }

    [Fact]
    public void Static_assets_are_anonymous()
    {
        var endpoints = _portal.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is not null)
            .ToList();

        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.NotNull(e.Metadata.GetMetadata<IAllowAnonymous>()));
    }

    private IEnumerable<(string Key, RouteEndpoint Endpoint)> AppEndpoints()
    {
        // Starting the host builds the endpoint list.
        _ = _portal.Server;
        return _portal.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is null)
            .Select(e => (KeyOf(e), e))
            .DistinctBy(e => e.Item1);
    }

    private static string KeyOf(RouteEndpoint endpoint)
    {
        var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
        return $"{(methods is null || methods.Count == 0 ? "*" : string.Join(",", methods))} {pattern}";
    }

    private static string PolicyOf(Access access) => access switch
    {
        Access.ReadOperations => PortalPolicies.ReadOperations,
        Access.Provision => PortalPolicies.Provision,
        Access.ManagePortal => PortalPolicies.ManagePortal,
        Access.Console => ConsoleAuthentication.Policy,
        _ => PortalPolicies.SignedIn,
    };

    private static Expectation Expected(Access access, string caller)
    {
        var isRole = PortalRoles.All.Contains(caller);
        var keyRole = caller.StartsWith(KeyOfRole, StringComparison.Ordinal) ? caller[KeyOfRole.Length..] : null;
        return access switch
        {
            Access.ApiRead => keyRole is PortalRoles.RoomsProManager or PortalRoles.SiteLead or PortalRoles.Helpdesk ? Expectation.Allowed : Expectation.Challenged,
            Access.ApiDocument => isRole || keyRole is PortalRoles.RoomsProManager or PortalRoles.SiteLead or PortalRoles.Helpdesk ? Expectation.Allowed : Expectation.Challenged,
            Access.ApiProvision => keyRole is PortalRoles.RoomsProManager or PortalRoles.SiteLead ? Expectation.Allowed
                : keyRole is PortalRoles.Helpdesk ? Expectation.Forbidden : Expectation.Challenged,
            Access.ApiManage => keyRole is PortalRoles.RoomsProManager ? Expectation.Allowed
                : keyRole is PortalRoles.SiteLead or PortalRoles.Helpdesk ? Expectation.Forbidden : Expectation.Challenged,
            Access.Anonymous => Expectation.Allowed,
            Access.Console => caller == "Console" ? Expectation.Allowed : Expectation.Denied,
            _ when !isRole => Expectation.Challenged,
            Access.SignedIn or Access.ReadOperations => Expectation.Allowed,
            Access.Provision => caller is PortalRoles.RoomsProManager or PortalRoles.SiteLead ? Expectation.Allowed : Expectation.Forbidden,
            _ => caller == PortalRoles.RoomsProManager ? Expectation.Allowed : Expectation.Forbidden,
        };
    }

    private static bool Matches(Expectation expected, Expectation actual) =>
        expected == actual || (expected == Expectation.Denied && actual is Expectation.Challenged or Expectation.Forbidden);

    private static async Task<(Expectation Outcome, string Detail)> CallAsync(HttpClient client, EndpointRule rule)
    {
        var method = rule.Methods[0] == "*" ? "GET" : rule.Methods.Contains("GET") ? "GET" : rule.Methods[0];
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(rule.Path, UriKind.Relative));
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var location = response.Headers.Location?.ToString() ?? "";
        var detail = $"{method} {rule.Path} -> {(int)response.StatusCode} {location}".TrimEnd();
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => (Expectation.Challenged, detail),
            HttpStatusCode.Forbidden => (Expectation.Forbidden, detail),
            HttpStatusCode.Redirect or HttpStatusCode.Found when location.Contains(PortalAuthentication.SignInPath, StringComparison.OrdinalIgnoreCase) => (Expectation.Challenged, detail),
            HttpStatusCode.Redirect or HttpStatusCode.Found when location.Contains(PortalAuthentication.AccessDeniedPath, StringComparison.OrdinalIgnoreCase) => (Expectation.Forbidden, detail),
            _ => (Expectation.Allowed, detail),
        };
    }

    private static string Format(IReadOnlyCollection<string> keys) =>
        keys.Count == 0 ? "none" : string.Join("", keys.Select(k => $"\n    Rule(\"{k}\", Access.?),"));

    private static EndpointRule Rule(string key, Access access, string? sample = null)
    {
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var pattern = key[(space + 1)..];
        var path = sample ?? System.Text.RegularExpressions.Regex.Replace(pattern, "\\{[^}]+\\}", SampleId);
        return new EndpointRule(key, key[..space].Split(','), path, access);
    }

    private enum Expectation
    {
        Allowed,
        Challenged,
        Forbidden,

        /// <summary>Challenged or forbidden: either keeps the caller out.</summary>
        Denied,
    }

    private sealed record EndpointRule(string Key, string[] Methods, string Path, Access Access);
}
