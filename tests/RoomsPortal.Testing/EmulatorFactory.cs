using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleEmulator;

namespace RoomsPortal.Testing;

/// <summary>Hosts the console emulator on a real loopback port, pointed at a portal.</summary>
public sealed class EmulatorFactory : WebApplicationFactory<EmulatorEntryPoint>
{
    private readonly Uri _portal;

    public EmulatorFactory(Uri portal)
    {
        _portal = portal;
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
    }

    public Uri ServerAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
            return new Uri(addresses.Addresses.First());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Emulator:PortalAddress", _portal.ToString());
    }
}
