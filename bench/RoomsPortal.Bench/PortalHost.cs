using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.ApiKeys;
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
/// plus a line protocol on stdin. The room group, accounts and OTPs go through the automation API (<c>/api/v1</c>, with
/// a key made here as the Settings page makes one), as a rollout script's would; the catalog, preferences and
/// approvals through the portal's own Core services in this process, so an approval publishes through the same
/// notifier and console hub an Approvals page would use (and the commit clock below sees its transaction). Replies go to stderr prefixed with <see cref="ReplyPrefix"/>;
/// stdout carries the portal's own console log, which the swarm counts.
/// </summary>
internal static partial class PortalHost
{
    public const string Flag = "--portal-host";
    public const string ReplyPrefix = "@@bench ";

    /// <summary>The first administrator's password for the pages run (the parent chose it); random otherwise.</summary>
    public const string AdminPasswordVariable = "ROOMSPORTAL_BENCH_ADMIN_PASSWORD";
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
        using var writers = new WriterTurns();
        await using var portal = new BenchPortalFactory(data, ArgValue(args, "--postgres"));
        var address = portal.ServerAddress;
        var services = portal.Services;
        using var api = await AutomationClientAsync(services, address);
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
                        Reply(await PrepareAsync(api, data, parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture)));
                        break;
                    case "auto":
                        var preferences = services.GetRequiredService<PreferencesService>();
                        var current = await preferences.GetAsync();
                        var updated = await preferences.UpdateAsync(current with { AutoApproval = parts[1] == "on" }, Admin);
                        Reply(updated.Succeeded ? "ok" : $"error {updated.Error}");
                        break;
                    case "batch":
                        Reply(await BatchAsync(services, api, int.Parse(parts[1], CultureInfo.InvariantCulture)));
                        break;
                    case "notify":
                        Reply(await NotifyAsync(api, new Uri(parts[1]), new Uri(parts[2]), parts[3]));
                        break;
                    case "approve":
                        Reply(await ApproveAsync(services, Guid.Parse(parts[1])));
                        break;
                    case "memory":
                        // The managed heap after a full, compacting collection: what the circuits keep alive.
                        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                        GC.WaitForPendingFinalizers();
                        Reply($"memory {GC.GetTotalMemory(forceFullCollection: true)}");
                        break;
                    case "gc":
                        // Collections and the time threads stood still for them since the process started, the longest
                        // pause since the previous gc command, and the memory the GC has committed.
                        Reply(GcFigures.OfThisProcess().ToAnswer());
                        break;
                    case "writers":
                        // The SQLite writer turns taken since the start: how many, held and waited seconds.
                        Reply(writers.Read().ToAnswer());
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
    private static async Task<string> BatchAsync(IServiceProvider services, HttpClient api, int count)
    {
        var (ids, importMs) = await ImportAsync(api, "batch", count);
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
    /// <see cref="PrepareBatch"/> (the size the swarm has always prepared with), over the automation API as a rollout
    /// script would. Writes the codes to a file in the data folder.
    /// </summary>
    private static async Task<string> PrepareAsync(HttpClient api, string data, string prefix, int count)
    {
        var (ids, importMs) = await ImportAsync(api, prefix, count);
        var codes = new List<string>(count);
        var otpWatch = Stopwatch.StartNew();
        foreach (var chunk in ids.Chunk(PrepareBatch))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/otp-batches")
            {
                Content = JsonContent.Create(new { accountIds = chunk, passwordMode = "GeneratePasswords" }),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await api.SendAsync(request);
            var batch = await ReadAsync(response, "OTP batch");
            codes.AddRange(batch.GetProperty("codes").EnumerateArray().Select(c => c.GetProperty("code").GetString()!));
        }

        otpWatch.Stop();
        var file = Path.Combine(data, $"codes-{prefix}.txt");
        await File.WriteAllLinesAsync(file, codes);
        return $"prepared {file} {importMs} {otpWatch.ElapsedMilliseconds}";
    }

    /// <summary>
    /// Imports <paramref name="count"/> accounts into the bench's room group over the API (the import's row limit a
    /// call); answers their ids, listed back page by page, and the time the import took.
    /// </summary>
    private static async Task<(List<Guid> Ids, long Milliseconds)> ImportAsync(HttpClient api, string prefix, int count)
    {
        var groups = await ReadAsync(await api.GetAsync("api/v1/room-groups"), "room groups");
        if (!groups.EnumerateArray().Any(g => g.GetProperty("name").GetString() == RoomGroup))
        {
            using var created = await api.PostAsJsonAsync("api/v1/room-groups", new { name = RoomGroup });
            await ReadAsync(created, "room group");
        }

        var importWatch = Stopwatch.StartNew();
        for (var start = 0; start < count; start += CsvLimits.MaxRows)
        {
            var csv = new StringBuilder("upn,display name,room group\n");
            for (var i = start; i < Math.Min(count, start + CsvLimits.MaxRows); i++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{Upn(prefix, i)},Bench room {prefix} {i},{RoomGroup}\n");
            }

            using var imported = await api.PostAsync("api/v1/resource-accounts/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
            await ReadAsync(imported, "import");
        }

        importWatch.Stop();
        var ids = new List<Guid>(count);
        for (var page = 1; ids.Count < count; page++)
        {
            var listed = await ReadAsync(await api.GetAsync($"api/v1/resource-accounts?search=bench-{prefix}-&pageSize={Paging.MaxPageSize}&page={page}"), "account list");
            var items = listed.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();
            if (items.Count == 0)
            {
                throw new InvalidOperationException($"account list: {ids.Count} of {count} accounts listed back");
            }

            ids.AddRange(items);
        }

        return (ids, importWatch.ElapsedMilliseconds);
    }

    /// <summary>
    /// An API key made as the Settings page makes one (a Rooms Pro Manager, for a day), and a client that sends it: the
    /// bench's accounts and codes go through <c>/api/v1</c> like a customer's rollout script.
    /// </summary>
    private static async Task<HttpClient> AutomationClientAsync(IServiceProvider services, Uri address)
    {
        var created = await services.GetRequiredService<ApiKeyService>()
            .CreateAsync(new NewApiKey("bench", "RoomsProManager", [], ExpiresInDays: 1), Admin);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"API key: {created.Error}");
        }

        var client = new HttpClient(new HonourRetryAfter { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Value.Key);
        return client;
    }

    /// <summary>
    /// Waits out the automation API's per-key budget (600 calls a minute, refilled every 10 s) as a rollout script
    /// should: a 429 is sent again after its Retry-After. Listing 2 x 19,000 accounts back takes 190 pages, more than
    /// one refill, so a run could stop there depending on where the refills fell. Bounded: 30 waits a call.
    /// </summary>
    private sealed class HonourRetryAfter : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            for (var waits = 0; ; waits++)
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (response.StatusCode != System.Net.HttpStatusCode.TooManyRequests || waits == 30)
                {
                    return response;
                }

                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                response.Dispose();
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    /// <summary>The answer's JSON, or an exception naming the call and the portal's problem document.</summary>
    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string what)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {text}");
            }

            return JsonDocument.Parse(text).RootElement.Clone();
        }
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
            // A published portal serves MudBlazor's and the framework's files from wwwroot; this host runs from the
            // build output, where they are found through the static web assets manifest (the pages run opens pages).
            builder.UseStaticWebAssets();
            builder.UseSetting("Storage:DataDirectory", _data);
            builder.UseSetting("DemoData:Enabled", "false");
            builder.UseSetting("DemoData:SampleAccounts", "false");
            builder.UseSetting("Bootstrap:AdminPassword", Environment.GetEnvironmentVariable(AdminPasswordVariable)
                ?? "Bench-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
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
