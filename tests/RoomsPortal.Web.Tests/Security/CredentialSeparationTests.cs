using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Account;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

public sealed class CredentialSeparationTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private readonly TestManufacturer _contoso = new();
    private string _deviceToken = "";

    public async ValueTask InitializeAsync()
    {
        await _contoso.RegisterAsync(_portal.Services, TestContext.Current.CancellationToken);
        using var http = _portal.CreateClient();
        _deviceToken = (await new ConsoleSetupClient(http, _contoso.Console("SN-SEP")).VerifyDeviceAsync(TestContext.Current.CancellationToken)).DeviceToken;
    }

    public async ValueTask DisposeAsync()
    {
        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Device_credential_opens_no_portal_page_or_admin_api()
    {
        using var client = _portal.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _deviceToken);

        using var api = await client.GetAsync(new Uri(AccountApi.MePath, UriKind.Relative), TestContext.Current.CancellationToken);
        using var page = await client.GetAsync(new Uri("/settings", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Found, page.StatusCode);
        Assert.StartsWith(PortalAuthentication.SignInPath, PortalForms.RedirectTarget(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Administrator_cookie_opens_no_console_call()
    {
        using var admin = _portal.CreateClientAs(PortalRoles.RoomsProManager);
        using var body = new StringContent("{\"version\":\"2026-01\"}", Encoding.UTF8, "application/json");

        using var response = await admin.PostAsync(new Uri("/api/console/v1/agreement", UriKind.Relative), body, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(ConsoleErrorCodes.CredentialRequired, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
