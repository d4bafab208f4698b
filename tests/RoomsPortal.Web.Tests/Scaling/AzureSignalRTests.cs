using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Azure.SignalR;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.Testing;
using RoomsPortal.Web.Hubs;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Scaling;

/// <summary>
/// Azure SignalR Service for the console hub only, wired without the service: it is not reachable from these machines,
/// so the portal is pointed at a closed loopback port (its server connections are refused at once, nothing leaves the
/// machine) and the tests check what the portal itself does: who serves each hub's negotiate, which lifetime manager
/// each hub has, and what a malformed setting does at start.
/// </summary>
public sealed class AzureSignalRTests
{
    private const string Key = "Azure:SignalR:ConnectionString";
    private const string AccessKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq=";

    private static readonly System.Reflection.Assembly Sdk = typeof(ServiceOptions).Assembly;

    // Blazor's circuit hub is internal to the framework.
    private static readonly Type CircuitHub =
        Type.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub, Microsoft.AspNetCore.Components.Server", throwOnError: true)!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unset_registers_nothing_of_Azure_SignalR_and_both_hubs_stay_on_the_node()
    {
        List<ServiceDescriptor> registered = [];
        await using var portal = new PortalFactory().UseRealPort().WithServices(services => registered.AddRange(services));
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        var token = await DeviceTokenAsync(portal, http);

        using var console = await NegotiateAsync(http, "hubs/console", token);

        Assert.NotEmpty(registered);
        Assert.DoesNotContain(registered, FromSdk);
        Assert.IsType<DefaultHubLifetimeManager<ConsoleHub>>(portal.Services.GetRequiredService<HubLifetimeManager<ConsoleHub>>());
        Assert.Equal(typeof(DefaultHubLifetimeManager<>), LifetimeManagerOf(portal.Services, CircuitHub).GetGenericTypeDefinition());
        Assert.True(console.RootElement.TryGetProperty("connectionToken", out _));
    }

    [Fact]
    public async Task Set_sends_consoles_to_the_service_and_leaves_the_Blazor_circuits_on_the_node()
    {
        var service = ClosedLoopbackAddress();
        await using var portal = new PortalFactory().UseRealPort()
            .WithSetting(Key, $"Endpoint={service};AccessKey={AccessKey};Version=1.0;")
            // No server connection to the service is ever up here, so no endpoint is online; negotiate picks it anyway.
            .WithServices(services => services.AddSingleton<IEndpointRouter>(new OfflineEndpointRouter()));
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        var token = await DeviceTokenAsync(portal, http);

        using var console = await NegotiateAsync(http, "hubs/console", token);
        using var admin = portal.CreateClientAs(PortalRoles.Helpdesk);
        using var circuit = await NegotiateAsync(admin, "_blazor", token: null);
        using var withoutCredential = await PostNegotiateAsync(http, "hubs/console", token: null);
        using var direct = await http.GetAsync(new Uri("hubs/console", UriKind.Relative), Ct);
        using var directProblem = JsonDocument.Parse(await direct.Content.ReadAsStringAsync(Ct));

        // The console's negotiate is the SDK's redirect to the service, with a service access token.
        var redirect = console.RootElement.GetProperty("url").GetString()!;
        Assert.StartsWith(service.GetLeftPart(UriPartial.Authority) + "/client/", redirect, StringComparison.Ordinal);
        Assert.Contains("hub=consolehub", redirect, StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrEmpty(console.RootElement.GetProperty("accessToken").GetString()));
        Assert.False(console.RootElement.TryGetProperty("connectionToken", out _));
        Assert.Equal(Sdk, portal.Services.GetRequiredService<HubLifetimeManager<ConsoleHub>>().GetType().Assembly);

        // Blazor's circuit negotiates with the node itself and keeps the default lifetime manager.
        Assert.True(circuit.RootElement.TryGetProperty("connectionToken", out _));
        Assert.False(circuit.RootElement.TryGetProperty("url", out _));
        Assert.Equal(typeof(DefaultHubLifetimeManager<>), LifetimeManagerOf(portal.Services, CircuitHub).GetGenericTypeDefinition());

        // The console hub still takes device credentials only, and a socket straight to the node is told to negotiate.
        Assert.Equal(HttpStatusCode.Unauthorized, withoutCredential.StatusCode);
        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (direct.StatusCode, direct.Content.Headers.ContentType?.MediaType));
        Assert.Equal("invalid_request", directProblem.RootElement.GetProperty("code").GetString());
        Assert.Contains("negotiate", directProblem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Endpoint=not a uri;AccessKey=secret-0123456789;Version=1.0;")]
    [InlineData("Endpoint=https://rooms.service.signalr.net;AccessKey=secret-0123456789;Version=2.0;")]
    [InlineData("secret-0123456789")]
    public async Task A_malformed_connection_string_stops_the_start_naming_the_key_and_not_the_secret(string value)
    {
        await using var portal = new PortalFactory().WithSetting(Key, value);

        var error = Assert.ThrowsAny<InvalidOperationException>(() => portal.CreateClient());

        Assert.Contains(Key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-0123456789", error.ToString(), StringComparison.Ordinal);
    }

    private static bool FromSdk(ServiceDescriptor descriptor) =>
        descriptor.ServiceType.Assembly == Sdk
        || descriptor.ServiceType.GenericTypeArguments.Any(t => t.Assembly == Sdk)
        || (!descriptor.IsKeyedService && descriptor.ImplementationType?.Assembly == Sdk);

    private static Type LifetimeManagerOf(IServiceProvider services, Type hub) =>
        services.GetRequiredService(typeof(HubLifetimeManager<>).MakeGenericType(hub)).GetType();

    private static async Task<string> DeviceTokenAsync(PortalFactory portal, HttpClient http)
    {
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        await using var device = new ConsoleSetupClient(http, contoso.Console("SN-AZURE-1"));
        return (await device.VerifyDeviceAsync(Ct)).DeviceToken;
    }

    private static async Task<JsonDocument> NegotiateAsync(HttpClient http, string hub, string? token)
    {
        using var answer = await PostNegotiateAsync(http, hub, token);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<HttpResponseMessage> PostNegotiateAsync(HttpClient http, string hub, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{hub}/negotiate?negotiateVersion=1", UriKind.Relative))
        {
            Content = new ByteArrayContent([]),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request, Ct);
    }

    /// <summary>A loopback port nothing listens on (free a moment ago).</summary>
    private static Uri ClosedLoopbackAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>Picks the first endpoint whether or not a server connection to it is up (none can be here).</summary>
    private sealed class OfflineEndpointRouter : EndpointRouterDecorator
    {
        public override ServiceEndpoint GetNegotiateEndpoint(HttpContext context, IEnumerable<ServiceEndpoint> endpoints) => endpoints.First();
    }
}
