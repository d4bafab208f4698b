using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using RoomsPortal.Core.Audit;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

public sealed class EntraIdModeTests
{
    private const string TenantId = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private const string AuthorizeEndpoint = $"https://login.microsoftonline.com/{TenantId}/oauth2/v2.0/authorize";

    [Fact]
    public async Task Anonymous_page_request_is_challenged_to_Entra_ID_with_the_app_registration()
    {
        await using var portal = new PortalFactory()
            .WithSetting("Authentication:Mode", "EntraId")
            .WithSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
            .WithSetting("AzureAd:TenantId", TenantId)
            .WithSetting("AzureAd:ClientId", ClientId)
            .WithSetting("AzureAd:CallbackPath", "/signin-oidc");
        // No network here: the metadata document is given instead of fetched.
        await using var offline = portal.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options => options.Configuration = new OpenIdConnectConfiguration
            {
                Issuer = $"https://login.microsoftonline.com/{TenantId}/v2.0",
                AuthorizationEndpoint = AuthorizeEndpoint,
                TokenEndpoint = $"https://login.microsoftonline.com/{TenantId}/oauth2/v2.0/token",
                EndSessionEndpoint = $"https://login.microsoftonline.com/{TenantId}/oauth2/v2.0/logout",
            })));
        using var client = offline.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync(new Uri("/devices", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(AuthorizeEndpoint + "?", location.ToString(), StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal("http://localhost/signin-oidc", query["redirect_uri"]);
        Assert.Contains("openid", query["scope"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(query["state"]));

        using var api = await client.GetAsync(new Uri(Api.Account.AccountApi.MePath, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task App_roles_and_the_room_group_claim_give_the_same_scope_as_a_local_Site_Lead()
    {
        var group = Guid.NewGuid();
        var token = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("name", "Lea Lead"), new Claim("roles", PortalRoles.SiteLead), new Claim("rp_room_group", group.ToString())],
            "AuthenticationTypes.Federation",
            "name",
            "roles"));
        var transformation = new EntraClaimsTransformation(Options.Create(new PortalAuthenticationOptions { Mode = AuthenticationMode.EntraId }));

        var user = await transformation.TransformAsync(token);
        var scope = AccessScopeFactory.FromPrincipal(user);

        Assert.True(user.IsInRole(PortalRoles.SiteLead));
        Assert.Equal(new HashSet<Guid> { group }, scope.RoomGroupIds);
        Assert.Equal("Lea Lead", user.ShownName());
    }

    [Fact]
    public async Task An_app_token_with_an_app_role_calls_the_automation_API_and_the_audit_log_names_the_app()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(signing) { KeyId = "tenant-key-1" };
        using var otherSigning = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        const string Issuer = $"https://login.microsoftonline.com/{TenantId}/v2.0";
        await using var portal = new PortalFactory().InProduction()
            .WithSetting("Authentication:Mode", "EntraId")
            .WithSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
            .WithSetting("AzureAd:TenantId", TenantId)
            .WithSetting("AzureAd:ClientId", ClientId);
        // No network here: the tenant's signing keys are given instead of fetched from its metadata, and the issuer
        // is checked against the tenant's issuer directly (Microsoft.Identity.Web's issuer validator would fetch the
        // instance metadata first). Signature, audience, lifetime and app roles go through the production handler.
        await using var offline = portal.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
        {
            services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
                configuration.SigningKeys.Add(key);
                options.Configuration = configuration;
            });
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                options.TokenValidationParameters.IssuerValidator = null;
                options.TokenValidationParameters.ValidIssuer = Issuer;
            });
        }));
        using var client = offline.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var ct = TestContext.Current.CancellationToken;

        using var anonymous = await client.GetAsync(new Uri("/api/v1/room-groups", UriKind.Relative), ct);
        using var forged = await SendAsync(client, HttpMethod.Get, AppToken(new ECDsaSecurityKey(otherSigning) { KeyId = "tenant-key-1" }, Issuer, PortalRoles.RoomsProManager), ct);
        using var readerReads = await SendAsync(client, HttpMethod.Get, AppToken(key, Issuer, PortalRoles.Helpdesk), ct);
        using var reader = await SendAsync(client, HttpMethod.Post, AppToken(key, Issuer, PortalRoles.Helpdesk), ct);
        using var manager = await SendAsync(client, HttpMethod.Post, AppToken(key, Issuer, PortalRoles.RoomsProManager), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var detail = System.Text.Json.JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("detail").GetString();
        Assert.Contains("API key", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("cookie", detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readerReads.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reader.StatusCode);
        Assert.Equal(HttpStatusCode.Created, manager.StatusCode);
        var audit = await offline.Services.GetRequiredService<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.RoomGroups), ct);
        var created = Assert.Single(audit.Items);
        Assert.Equal(("sp-object-1", $"App {RolloutAppId}"), (created.ActorId, created.ActorName));
        // An app's own token never makes API keys (a leaked client secret must not become a key that outlives it);
        // a token for another audience, or an expired one, is refused outright.
        using var keyRequest = new HttpRequestMessage(HttpMethod.Post, "/api/v1/api-keys")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { name = "from-app", role = PortalRoles.Helpdesk }),
        };
        keyRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AppToken(key, Issuer, PortalRoles.RoomsProManager));
        using var keyByApp = await client.SendAsync(keyRequest, ct);
        Assert.NotEqual(HttpStatusCode.Created, keyByApp.StatusCode);
        Assert.Contains("not by another key", await keyByApp.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        using var otherAudience = await SendAsync(client, HttpMethod.Get, AppToken(key, Issuer, PortalRoles.RoomsProManager, audience: "api://someone-else"), ct);
        using var expired = await SendAsync(client, HttpMethod.Get, AppToken(key, Issuer, PortalRoles.RoomsProManager, expires: DateTime.UtcNow.AddMinutes(-10)), ct);
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (otherAudience.StatusCode, expired.StatusCode));

        // The browser sign-in keeps the same claim names (no identity provider here to sign in against).
        var signIn = offline.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);
        Assert.Equal((false, "roles"), (signIn.MapInboundClaims, signIn.TokenValidationParameters.RoleClaimType));
    }

    private const string RolloutAppId = "99999999-8888-7777-6666-555555555555";

    /// <summary>An access token as Entra ID issues one to a daemon app (client credentials) granted an app role.</summary>
    private static string AppToken(SecurityKey key, string issuer, string role, string audience = ClientId, DateTime? expires = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = audience,
        NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
        IssuedAt = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
        Expires = expires ?? DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        Claims = new Dictionary<string, object>
        {
            ["roles"] = new[] { role },
            ["tid"] = TenantId,
            ["oid"] = "sp-object-1",
            ["sub"] = "sp-object-1",
            ["azp"] = RolloutAppId,
            ["idtyp"] = "app",
            ["ver"] = "2.0",
        },
    });

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, "/api/v1/room-groups");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (method == HttpMethod.Post)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(new { name = "Building 9" });
        }

        return await client.SendAsync(request, ct);
    }
}
