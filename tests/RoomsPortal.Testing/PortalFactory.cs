using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace RoomsPortal.Testing;

/// <summary>
/// Hosts the real portal for a test: its own data folder (a real SQLite file), deleted on dispose.
/// With <see cref="UseRealPort"/> it listens on a loopback port for browsers and SDK clients.
/// </summary>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Action<IServiceCollection>> _services = [];

    public PortalFactory()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "roomsportal-tests", Guid.NewGuid().ToString("N"));
        _settings["Storage:DataDirectory"] = DataDirectory;
        // Tests register the catalog they need; WithDemoData() turns the Development sample data back on.
        _settings["DemoData:Enabled"] = "false";
    }

    public string DataDirectory { get; }

    /// <summary>Adds or overrides a configuration value; call before the host starts.</summary>
    public PortalFactory WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Replaces services after the app registered its own (e.g. a fake clock); call before the host starts.</summary>
    public PortalFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>Seeds the Development demo data (the emulator's demo manufacturer) at start.</summary>
    public PortalFactory WithDemoData() => WithSetting("DemoData:Enabled", "true");

    /// <summary>Serves on a real Kestrel port on 127.0.0.1 instead of the in-memory test server.</summary>
    public PortalFactory UseRealPort()
    {
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        return this;
    }

    /// <summary>The address Kestrel listens on (after <see cref="UseRealPort"/>).</summary>
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
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Log files can still be closing; the temp folder is cleared by the OS.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
