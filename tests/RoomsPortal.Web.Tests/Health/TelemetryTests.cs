using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Automation;

namespace RoomsPortal.Web.Tests.Health;

/// <summary>
/// What an operator sees in production (issue 13 item 6): the Prometheus scrape at <c>/metrics</c> for an API key,
/// counting the console path as a console walks it, with no code or serial in it; OTLP export of traces and metrics to
/// a collector when one is configured; a collector address that cannot work stops the start naming its key.
/// </summary>
public sealed partial class TelemetryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_scrape_counts_a_console_walking_the_path_for_an_api_key_and_shows_no_code_or_serial()
    {
        await using var portal = new PortalFactory().InProduction().UseRealPort();
        using var anonymous = new HttpClient { BaseAddress = portal.ServerAddress };
        using var manager = await KeyClientAsync(portal, "rollout", PortalRoles.RoomsProManager);
        using var scraper = await KeyClientAsync(portal, "prometheus", PortalRoles.Helpdesk);
        using var manufacturer = new TestManufacturer();
        await manufacturer.RegisterAsync(portal.Services, Ct);
        using var pushes = new OwnMeter(portal.Services, "roomsportal.pushes");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative), Ct)).StatusCode);
        var before = await ScrapeAsync(scraper);

        // Set up through the automation API only, then a console redeems, waits on the hub and is approved.
        using (var group = await manager.PostAsJsonAsync("/api/v1/room-groups", new { name = "Telemetry" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, group.StatusCode);
        }

        using (var import = await manager.PostAsync(new Uri("/api/v1/resource-accounts/import", UriKind.Relative),
            new StringContent("upn,display name,room group\nroom-tel@contoso.example,Room Tel,Telemetry\n", Encoding.UTF8, "text/csv"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        }

        using (var preferences = await manager.PutAsJsonAsync("/api/v1/preferences", new { otpValidityHours = 8, autoApproval = false }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, preferences.StatusCode);
        }

        var accountId = (await manager.GetFromJsonAsync<JsonElement>("/api/v1/resource-accounts?search=room-tel", Ct)).GetProperty("items")[0].GetProperty("id").GetGuid();
        using var order = new HttpRequestMessage(HttpMethod.Post, "/api/v1/otp-batches")
        {
            Content = JsonContent.Create(new { accountIds = new[] { accountId }, passwordMode = "GeneratePasswords" }),
        };
        order.Headers.Add("Idempotency-Key", "telemetry-1");
        using var batch = await manager.SendAsync(order, Ct);
        Assert.Equal(HttpStatusCode.Created, batch.StatusCode);
        var code = JsonDocument.Parse(await batch.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("codes")[0].GetProperty("code").GetString()!;
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        await using var console = new ConsoleSetupClient(http, manufacturer.Console("SN-TEL-0001"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        var redeemed = await console.RedeemOtpAsync(code, Ct);
        // The first status the SDK reports comes from Watch, after the portal put the connection in the request's
        // group: from then on the decision is pushed (before it, Watch's answer would carry it and nothing is pushed).
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, new Reported(() => watching.TrySetResult()), Ct);
        await watching.Task.WaitAsync(Patience, Ct);
        var waitingConsoles = pushes.Observe("roomsportal.consoles.waiting");
        using (var approve = await manager.PostAsync(new Uri($"/api/v1/approval-requests/{redeemed.RequestId}/approve", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        Assert.Equal(SetupStatus.Approved, (await waiting.WaitAsync(Patience, Ct)).Status);
        await pushes.Seen("Approved").WaitAsync(Patience, Ct);
        var after = await ScrapeAsync(scraper);

        Assert.Equal(1, waitingConsoles);
        // The Core meter is one per process (other tests' portals count into it too), so the scrape grows by at least one.
        Assert.True(Value(after, "roomsportal_redemptions_total", "outcome=\"pending\"") >= Value(before, "roomsportal_redemptions_total", "outcome=\"pending\"") + 1);
        Assert.True(Value(after, "roomsportal_decisions_total", "decision=\"approved\"") >= Value(before, "roomsportal_decisions_total", "decision=\"approved\"") + 1);
        Assert.True(Value(after, "roomsportal_verifications_total", "outcome=\"verified\"") >= Value(before, "roomsportal_verifications_total", "outcome=\"verified\"") + 1);
        // The SQLite file's writer turns: at least the console's verification, acceptance and redemption and the approval.
        Assert.True(Value(after, "roomsportal_sqlite_writer_turn_seconds_count", string.Empty) >= Value(before, "roomsportal_sqlite_writer_turn_seconds_count", string.Empty) + 4);
        Assert.True(Value(after, "roomsportal_sqlite_writer_wait_seconds_count", string.Empty) >= Value(before, "roomsportal_sqlite_writer_wait_seconds_count", string.Empty) + 4);
        // Per-host meters (ASP.NET Core's, the web meter) are not asserted on the scrape: several portals in one test
        // process publish same-named meters, and one host's shutdown can end the shared stream (production runs one).
        Assert.DoesNotContain(code, after, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(code.Replace("-", "", StringComparison.Ordinal), after, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SN-TEL-0001", after, StringComparison.Ordinal);
        Assert.DoesNotContain("room-tel", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_collector_configured_traces_of_the_console_path_and_metrics_reach_it_over_otlp()
    {
        using var collector = new LoopbackCollector();
        await using var portal = new PortalFactory().UseRealPort()
            .WithSetting("Telemetry:OtlpEndpoint", collector.Address)
            .WithSetting("OTEL_BSP_SCHEDULE_DELAY", "200")
            .WithSetting("OTEL_METRIC_EXPORT_INTERVAL", "500");
        using var manufacturer = new TestManufacturer();
        await manufacturer.RegisterAsync(portal.Services, Ct);
        var admin = new PortalProvisioning(portal.Services);
        var account = await admin.CreateAccountAsync("room-otlp@contoso.com", ct: Ct);
        var otp = await admin.IssueOtpAsync(account, "room-otlp@contoso.com", ct: Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        await using var console = new ConsoleSetupClient(http, manufacturer.Console("SN-OTLP-0001"));

        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        await console.RedeemOtpAsync(otp.Code, Ct);

        // Protobuf keeps strings as UTF-8 bytes: the span names and the route are readable in the body.
        // The Core span and the request's span under which it ran can leave in different exports.
        await collector.ReceivedAsync("/v1/traces", body => body.Contains("Redeem OTP", StringComparison.Ordinal)).WaitAsync(Patience, Ct);
        await collector.ReceivedAsync("/v1/traces", body => body.Contains("/api/console/v1/otp/redeem", StringComparison.Ordinal)).WaitAsync(Patience, Ct);
        Assert.Contains("Verify device", await collector.AllAsync("/v1/traces"), StringComparison.Ordinal);
        Assert.DoesNotContain(otp.Code, await collector.AllAsync("/v1/traces"), StringComparison.Ordinal);
        await collector.ReceivedAsync("/v1/metrics", body => body.Contains("roomsportal.redemptions", StringComparison.Ordinal)).WaitAsync(Patience, Ct);
    }

    [Fact]
    public void A_collector_address_that_is_not_an_http_address_stops_the_start_naming_the_key()
    {
        using var portal = new PortalFactory().InProduction().WithSetting("Telemetry:OtlpEndpoint", "collector:4318");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => portal.CreateClient());

        Assert.Contains("Telemetry:OtlpEndpoint", error.Message, StringComparison.Ordinal);
    }

    private sealed class Reported(Action reported) : IProgress<SetupStatusResponse>
    {
        public void Report(SetupStatusResponse value) => reported();
    }

    /// <summary>A client on the portal's real port with a new API key of <paramref name="role"/>.</summary>
    private static async Task<HttpClient> KeyClientAsync(PortalFactory portal, string name, string role)
    {
        var client = new HttpClient { BaseAddress = portal.ServerAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await portal.NewKeyAsync(name, role));
        return client;
    }

    private static async Task<string> ScrapeAsync(HttpClient scraper)
    {
        using var response = await scraper.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>The value of a sample whose labels contain <paramref name="label"/>; 0 when the series is absent.</summary>
    private static double Value(string exposition, string name, string label)
    {
        foreach (Match sample in Sample().Matches(exposition))
        {
            if (sample.Groups["name"].Value == name && sample.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            {
                return double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    /// <summary>
    /// This portal's own web meter: other portals hosted in the test process make instruments of the same names, and a
    /// listener scoped to this host's <see cref="IMeterFactory"/> sees only this one's.
    /// </summary>
    private sealed class OwnMeter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Status, TaskCompletionSource Seen)> _waits = [];
        private readonly List<string> _statuses = [];
        private readonly Dictionary<string, long> _observed = [];

        public OwnMeter(IServiceProvider services, string pushCounter)
        {
            var factory = services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                lock (_statuses)
                {
                    if (instrument.Name == pushCounter)
                    {
                        foreach (var tag in tags)
                        {
                            if (tag.Key == "status" && tag.Value is string status)
                            {
                                _statuses.Add(status);
                                _waits.Where(w => w.Status == status).ToList().ForEach(w => w.Seen.TrySetResult());
                            }
                        }
                    }
                    else
                    {
                        _observed[instrument.Name] = value;
                    }
                }
            });
            _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
            {
                lock (_statuses)
                {
                    _observed[instrument.Name] = value;
                }
            });
            _listener.Start();
        }

        public Task Seen(string status)
        {
            lock (_statuses)
            {
                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_statuses.Contains(status))
                {
                    seen.SetResult();
                }

                _waits.Add((status, seen));
                return seen.Task;
            }
        }

        public long Observe(string gauge)
        {
            _listener.RecordObservableInstruments();
            lock (_statuses)
            {
                return _observed.TryGetValue(gauge, out var value) ? value : -1;
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>An OTLP/HTTP collector on a loopback port that keeps every body it receives, by path.</summary>
    private sealed class LoopbackCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly List<(string Path, string Body)> _received = [];
        private readonly List<(string Path, Func<string, bool> Match, TaskCompletionSource<string> Done)> _waits = [];
        private readonly Task _loop;

        public LoopbackCollector()
        {
            var port = FreePort();
            Address = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Address + "/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string Address { get; }

        public Task<string> ReceivedAsync(string path, Func<string, bool> match)
        {
            lock (_received)
            {
                var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                foreach (var (p, body) in _received)
                {
                    if (p == path && match(body))
                    {
                        done.TrySetResult(body);
                    }
                }

                _waits.Add((path, match, done));
                return done.Task;
            }
        }

        public Task<string> AllAsync(string path)
        {
            lock (_received)
            {
                return Task.FromResult(string.Concat(_received.Where(r => r.Path == path).Select(r => r.Body)));
            }
        }

        public void Dispose()
        {
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var buffer = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(buffer);
                // Latin-1 maps every byte to one char, so UTF-8 names inside the protobuf are found as they are.
                var body = Encoding.Latin1.GetString(buffer.ToArray());
                var path = context.Request.Url!.AbsolutePath;
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
                lock (_received)
                {
                    _received.Add((path, body));
                    foreach (var wait in _waits.Where(w => w.Path == path && w.Match(body)))
                    {
                        wait.Done.TrySetResult(body);
                    }
                }
            }
        }

        private static int FreePort()
        {
            using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }
    }
}
