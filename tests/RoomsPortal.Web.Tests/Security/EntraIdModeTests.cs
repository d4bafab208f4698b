using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
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
}
