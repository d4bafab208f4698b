using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Users;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Testing;

/// <summary>
/// Hosts the real portal for a test: its own data folder (a real SQLite file), deleted on dispose.
/// With <see cref="UseRealPort"/> it listens on a loopback port for browsers and SDK clients; with
/// <see cref="InProduction"/> it runs in the Production environment, as deployed.
/// The bootstrap administrator <see cref="AdminUserName"/> gets <see cref="AdminPassword"/> and no forced change,
/// unless a test sets <c>Bootstrap:*</c> itself. Demo data is off unless <see cref="WithDemoData"/>.
/// </summary>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    public const string AdminUserName = "admin";
    public const string AdminPassword = "test-admin-password-0001";

    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Action<IServiceCollection>> _services = [];
    private bool _keepData;
    private string? _environment;

    public PortalFactory()
        : this(Path.Combine(Path.GetTempPath(), "roomsportal-tests", Guid.NewGuid().ToString("N")))
    {
    }

    /// <summary>A portal over an existing data folder (a restart in a test); the folder is deleted on dispose unless <see cref="KeepData"/>.</summary>
    public PortalFactory(string dataDirectory)
    {
        DataDirectory = dataDirectory;
        _settings["Storage:DataDirectory"] = DataDirectory;
        // Tests register the catalog they need; WithDemoData() turns the Development sample data back on.
        _settings["DemoData:Enabled"] = "false";
        _settings["DemoData:SampleAccounts"] = "false";
        _settings["Bootstrap:AdminPassword"] = AdminPassword;
        _settings["Bootstrap:RequirePasswordChange"] = "false";
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

    /// <summary>
    /// Runs the portal in the Production environment (the default here is Development): the error page instead of
    /// the developer exception page, problem documents for API failures, HSTS and the HTTPS redirect, no
    /// <c>appsettings.Development.json</c> (so no demo catalog), and no static web assets from packages (MudBlazor's
    /// <c>_content/</c> files answer 404 or 500 unless the portal is published): pages render, but a test must not
    /// fetch or depend on those files. HTTP-level tests are fine; a browser test in Production needs a published build.
    /// </summary>
    public PortalFactory InProduction()
    {
        _environment = "Production";
        return this;
    }

    /// <summary>Leaves the data folder in place on dispose, so another factory can start over it.</summary>
    public PortalFactory KeepData()
    {
        _keepData = true;
        return this;
    }

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

    /// <summary>
    /// A client signed in as a new local user with <paramref name="role"/> (a <see cref="PortalRoles"/> value) and
    /// the given room groups. It carries a real sign-in cookie, made the way the portal makes it, so the whole
    /// cookie pipeline (security stamp, claims, policies) runs. It does not follow redirects: tests see the 302s.
    /// </summary>
    public HttpClient CreateClientAs(string role, params Guid[] roomGroups)
    {
        var userName = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}"[..24];
        var userId = CreateUserAsync(userName, AdminPassword, role, roomGroups).GetAwaiter().GetResult();
        return CreateClientForUserAsync(userId).GetAwaiter().GetResult();
    }

    /// <summary>A client that sends no credential and does not follow redirects.</summary>
    public HttpClient CreateAnonymousClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Everything the portal wrote to its log files so far (Serilog's file sink writes each event at once).</summary>
    public async Task<string> ReadLogsAsync(CancellationToken ct = default)
    {
        var all = new System.Text.StringBuilder();
        var folder = Path.Combine(DataDirectory, "logs");
        foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder) : [])
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            all.Append(await reader.ReadToEndAsync(ct));
        }

        return all.ToString();
    }

    /// <summary>The first log line holding <paramref name="fragment"/>, waiting (at most <paramref name="patience"/>) for a file to have it.</summary>
    public async Task<string> WaitForLogLineAsync(string fragment, TimeSpan patience, CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(patience);
        var folder = Path.Combine(DataDirectory, "logs");
        Directory.CreateDirectory(folder);
        using var changed = new FileSystemWatcher(folder) { EnableRaisingEvents = true };
        while (true)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.Changed += (_, _) => signal.TrySetResult();
            changed.Created += (_, _) => signal.TrySetResult();
            var line = (await ReadLogsAsync(timeout.Token)).Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            await signal.Task.WaitAsync(timeout.Token);
        }
    }

    /// <summary>Adds a local user (no forced password change) and returns its id.</summary>
    public async Task<string> CreateUserAsync(string userName, string password, string role, params Guid[] roomGroups)
    {
        var (_, error, detail) = await Services.GetRequiredService<UserAdministration>()
            .CreateAsync(new NewPortalUser(userName, userName, role, roomGroups), Core.Common.Actor.System, password, mustChangePassword: false);
        if (error is not null)
        {
            throw new InvalidOperationException($"Creating the test user {userName} failed: {error} {detail}");
        }

        using var scope = Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByNameAsync(userName);
        return user!.Id;
    }

    /// <summary>Adds a room group and returns its id.</summary>
    public async Task<Guid> CreateRoomGroupAsync(string name)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var group = new RoomGroup { Id = Guid.NewGuid(), Name = name, CreatedAt = DateTimeOffset.UtcNow };
        db.RoomGroups.Add(group);
        await db.SaveChangesAsync();
        return group.Id;
    }

    /// <summary>A client carrying a fresh sign-in cookie for an existing user.</summary>
    public async Task<HttpClient> CreateClientForUserAsync(string userId)
    {
        using var scope = Services.CreateScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>();
        var user = await signIn.UserManager.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No user {userId}.");
        var principal = await signIn.CreateUserPrincipalAsync(user);
        var cookie = Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
        var now = DateTimeOffset.UtcNow;
        var ticket = new AuthenticationTicket(
            principal,
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.Add(cookie.ExpireTimeSpan) },
            IdentityConstants.ApplicationScheme);

        var cookies = new CookieContainer();
        var client = CreateDefaultClient(new CookieContainerHandler(cookies));
        cookies.Add(client.BaseAddress!, new Cookie(cookie.Cookie.Name!, cookie.TicketDataFormat.Protect(ticket)));
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (_environment is not null)
        {
            builder.UseEnvironment(_environment);
        }

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
        if (_keepData)
        {
            return;
        }

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
