using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Bench;

/// <summary>
/// The child process: the real portal (RoomsPortal.Web's Program, Production environment, Kestrel on a loopback port)
/// plus a line protocol on stdin. Everything an admin would do (accounts, room group, catalog, OTPs, preferences,
/// approvals) goes through the portal's own Core services in this process, so an approval publishes through the same
/// notifier and console hub an Approvals page would use. Replies go to stderr prefixed with <see cref="ReplyPrefix"/>;
/// stdout carries the portal's own console log, which the swarm counts.
/// </summary>
internal static class PortalHost
{
    public const string Flag = "--portal-host";
    public const string ReplyPrefix = "@@bench ";
    private const string RoomGroup = "Bench building";
    private static readonly Actor Admin = Actor.User("bench-admin", "Bench Admin");

    /// <summary>OTPs per batch when preparing the swarm's codes.</summary>
    private const int PrepareBatch = 5000;

    public static async Task<int> RunAsync(string[] args)
    {
        var data = ArgValue(args, "--data") ?? throw new ArgumentException("--data is required with " + Flag);
        // The portal's own folder (appsettings.json, as a published portal has beside it). The build writes it to
        // MvcTestingAppManifest.json; WebApplicationFactory's own lookup expects a test assembly and misses it here.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ROOMSPORTAL_WEB", PortalContentRoot());
        await using var portal = new BenchPortalFactory(data, ArgValue(args, "--postgres"));
        var address = portal.ServerAddress;
        var services = portal.Services;
        Reply($"ready {address} {Environment.ProcessId}");

        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            try
            {
                switch (parts[0])
                {
                    case "manufacturer":
                        var catalog = services.GetRequiredService<DeviceCatalogService>();
                        await catalog.AddCertifiedModelAsync(Swarm.Make, Swarm.Model, Admin);
                        await catalog.AddManufacturerKeyAsync(Swarm.Make, "bench-key", parts[1], Admin);
                        Reply("ok");
                        break;
                    case "prepare":
                        Reply(await PrepareAsync(services, data, parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture)));
                        break;
                    case "auto":
                        var preferences = services.GetRequiredService<PreferencesService>();
                        var current = await preferences.GetAsync();
                        var updated = await preferences.UpdateAsync(current with { AutoApproval = parts[1] == "on" }, Admin);
                        Reply(updated.Succeeded ? "ok" : $"error {updated.Error}");
                        break;
                    case "batch":
                        Reply(await BatchAsync(services, int.Parse(parts[1], CultureInfo.InvariantCulture)));
                        break;
                    case "approve":
                        Reply(await ApproveAsync(services, Guid.Parse(parts[1])));
                        break;
                    case "quit":
                        Reply("bye");
                        return 0;
                    default:
                        Reply($"error unknown command {parts[0]}");
                        break;
                }
            }
#pragma warning disable CA1031 // Any failure is told to the swarm, which stops the run with it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Reply($"error {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }

        return 0;
    }

    /// <summary>An admin approving on the Approvals page: one request, through ApprovalService. Answers the commit's monotonic time.</summary>
    private static async Task<string> ApproveAsync(IServiceProvider services, Guid requestId)
    {
        var committedAt = CommitClock.Watch();
        var decided = await services.GetRequiredService<ApprovalService>().ApproveAsync(requestId, Admin, AccessScope.All);
        return decided.Succeeded ? $"approved {committedAt.Value}" : $"error {decided.Error}";
    }

    /// <summary>
    /// Imports <paramref name="count"/> accounts, then generates one OTP batch for all of them in one service call (as
    /// the wizard and the API do) and the same batch again, which revokes and replaces every code. Answers the three
    /// times in milliseconds.
    /// </summary>
    private static async Task<string> BatchAsync(IServiceProvider services, int count)
    {
        var (ids, importMs) = await ImportAsync(services, "batch", count);
        var otps = services.GetRequiredService<OtpService>();
        var times = new List<long>();
        for (var round = 0; round < 2; round++)
        {
            var watch = Stopwatch.StartNew();
            var batch = await otps.GenerateAsync(new OtpBatchRequest(ids, OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All);
            watch.Stop();
            if (!batch.Succeeded || batch.Value!.Items.Count != count)
            {
                return $"error OTP: {batch.Error}";
            }

            times.Add(watch.ElapsedMilliseconds);
        }

        return $"batch {importMs} {times[0]} {times[1]}";
    }

    /// <summary>
    /// Imports <paramref name="count"/> accounts and generates an OTP for each, in batches of
    /// <see cref="PrepareBatch"/> (the size the swarm has always prepared with). Writes the codes to a file in the data
    /// folder.
    /// </summary>
    private static async Task<string> PrepareAsync(IServiceProvider services, string data, string prefix, int count)
    {
        var (ids, importMs) = await ImportAsync(services, prefix, count);
        var otps = services.GetRequiredService<OtpService>();
        var codes = new List<string>(count);
        var otpWatch = Stopwatch.StartNew();
        foreach (var chunk in ids.Chunk(PrepareBatch))
        {
            var batch = await otps.GenerateAsync(new OtpBatchRequest(chunk, OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All);
            if (!batch.Succeeded)
            {
                return $"error OTP: {batch.Error}";
            }

            codes.AddRange(batch.Value!.Items.Select(item => item.Code));
        }

        otpWatch.Stop();
        var file = Path.Combine(data, $"codes-{prefix}.txt");
        await File.WriteAllLinesAsync(file, codes);
        return $"prepared {file} {importMs} {otpWatch.ElapsedMilliseconds}";
    }

    /// <summary>Imports <paramref name="count"/> accounts into the bench's room group (the import's limit a call); answers their ids and the time it took.</summary>
    private static async Task<(List<Guid> Ids, long Milliseconds)> ImportAsync(IServiceProvider services, string prefix, int count)
    {
        var groups = services.GetRequiredService<RoomGroupService>();
        if ((await groups.ListAsync(AccessScope.All)).All(g => g.Name != RoomGroup))
        {
            var created = await groups.CreateAsync(RoomGroup, Admin);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"room group: {created.Error}");
            }
        }

        var accounts = services.GetRequiredService<ResourceAccountService>();
        var importWatch = Stopwatch.StartNew();
        for (var start = 0; start < count; start += CsvLimits.MaxRows)
        {
            var csv = new StringBuilder("upn,display name,room group\n");
            for (var i = start; i < Math.Min(count, start + CsvLimits.MaxRows); i++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{Upn(prefix, i)},Bench room {prefix} {i},{RoomGroup}\n");
            }

            var imported = await accounts.ImportAsync(csv.ToString(), Admin, AccessScope.All);
            if (!imported.Succeeded)
            {
                throw new InvalidOperationException($"import: {string.Join("; ", imported.Errors.Take(3).Select(e => $"line {e.LineNumber}: {e.Message}"))}");
            }
        }

        importWatch.Stop();
        var normalizedPrefix = ResourceAccount.Normalize($"bench-{prefix}-");
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var ids = await db.Set<ResourceAccount>().Where(a => a.NormalizedUpn.StartsWith(normalizedPrefix))
            .OrderBy(a => a.NormalizedUpn).Select(a => a.Id).ToListAsync();
        return (ids, importWatch.ElapsedMilliseconds);
    }

    private static string PortalContentRoot()
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json")));
        var web = typeof(Program).Assembly.FullName!;
        return manifest.RootElement.GetProperty(web).GetString()!;
    }

    private static string Upn(string prefix, int i) => string.Create(CultureInfo.InvariantCulture, $"bench-{prefix}-{i:D6}@rooms.example.com");

    private static void Reply(string message) => Console.Error.WriteLine(ReplyPrefix + message);

    private static string? ArgValue(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>The portal as deployed: Production, its own data folder, a real Kestrel port on 127.0.0.1.</summary>
    private sealed class BenchPortalFactory : WebApplicationFactory<Program>
    {
        private readonly string _data;
        private readonly string? _postgres;

        public BenchPortalFactory(string data, string? postgres)
        {
            _data = data;
            _postgres = postgres;
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
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
            builder.UseEnvironment("Production");
            builder.UseSetting("Storage:DataDirectory", _data);
            builder.UseSetting("DemoData:Enabled", "false");
            builder.UseSetting("DemoData:SampleAccounts", "false");
            builder.UseSetting("Bootstrap:AdminPassword", "Bench-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
            builder.UseSetting("Bootstrap:RequirePasswordChange", "false");
            if (_postgres is not null)
            {
                builder.UseSetting("Database:Provider", "PostgreSql");
                builder.UseSetting("Database:ConnectionString", _postgres);
            }

            // Observes commits only (no behaviour change), so push latency starts at the approval's commit.
            builder.ConfigureTestServices(services =>
                services.ConfigureDbContext<PortalDbContext>((_, options) => options.AddInterceptors(new CommitClock())));
        }
    }

    /// <summary>Records when the current approval's transaction committed (a monotonic timestamp shared by all processes on Linux).</summary>
    private sealed class CommitClock : DbTransactionInterceptor
    {
        private static readonly AsyncLocal<StrongBox<long>?> Current = new();

        public static StrongBox<long> Watch()
        {
            var box = new StrongBox<long>();
            Current.Value = box;
            return box;
        }

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Stamp();

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Stamp();
            return Task.CompletedTask;
        }

        private static void Stamp()
        {
            if (Current.Value is { } box)
            {
                box.Value = Stopwatch.GetTimestamp();
            }
        }
    }
}
