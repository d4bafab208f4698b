using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>The 4 KB receive limit is the console hub's alone; Blazor's circuit hub keeps SignalR's default.</summary>
public sealed class ConsoleHubLimitTests
{
    private const int ConsoleLimit = 4 * 1024;
    private const int SignalRDefault = 32 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_the_console_hub_has_the_4_KB_limit_and_the_circuit_hub_keeps_the_default()
    {
        await using var portal = new PortalFactory();
        var services = portal.Services;
        var console = services.GetRequiredService<IOptions<HubOptions<ConsoleHub>>>().Value;
        var global = services.GetRequiredService<IOptions<HubOptions>>().Value;
        // Blazor's circuit hub is internal to the framework; its options are resolved by type name.
        var circuitHub = Type.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub, Microsoft.AspNetCore.Components.Server", throwOnError: true)!;
        var circuitOptions = services.GetRequiredService(typeof(IOptions<>).MakeGenericType(typeof(HubOptions<>).MakeGenericType(circuitHub)));
        var circuit = (HubOptions)circuitOptions.GetType().GetProperty(nameof(IOptions<HubOptions>.Value))!.GetValue(circuitOptions)!;

        Assert.Equal(ConsoleLimit, console.MaximumReceiveMessageSize);
        Assert.Equal(SignalRDefault, global.MaximumReceiveMessageSize);
        Assert.Equal(SignalRDefault, circuit.MaximumReceiveMessageSize);
    }

    [Fact]
    public async Task The_console_hub_closes_a_connection_that_sends_a_message_over_4_KB_and_keeps_one_under_it()
    {
        await using var portal = new PortalFactory().UseRealPort();
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        var device = new ConsoleSetupClient(http, contoso.Console("SN-HUB-LIMIT"));
        var token = (await device.VerifyDeviceAsync(Ct)).DeviceToken;
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(portal.ServerAddress, ConsoleHubNames.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        await hub.StartAsync(Ct);

        // Under the limit: the hub reads the message and answers (the argument is not a request id), the connection stays.
        var small = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<SetupStatusResponse>(ConsoleHubNames.Watch, new string('x', 3 * 1024), Ct));
        Assert.Equal(HubConnectionState.Connected, hub.State);

        // Over the limit: the hub does not read it and closes the connection.
        var large = hub.InvokeAsync<SetupStatusResponse>(ConsoleHubNames.Watch, new string('x', ConsoleLimit + 1024), Ct);
        var error = await closed.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.NotNull(error);
        await Assert.ThrowsAnyAsync<Exception>(() => large);
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
        Assert.NotNull(small);
    }
}
