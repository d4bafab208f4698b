using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using netDumbster.smtp;
using RoomsPortal.ConsoleClient;
using RoomsPortal.Testing;

namespace RoomsPortal.Bench;

/// <summary>
/// <c>--notifications N</c>: issue 15's "within a second", as a customer would see it. The portal runs in its child
/// process (Production, the default notification settings but two: loopback receivers are allowed and mail goes to
/// the SMTP server here); set up over the automation API only: N accounts and codes, a Site Lead of their room group
/// with an email address, and a webhook, a Teams and an email channel for <c>request.pending</c>. The receivers run in
/// this process: two HTTP receivers (the generic webhook; the Teams incoming-webhook URL) and netDumbster for mail.
/// N consoles verify and accept the agreement first; then each redeems (auto approval off), and each arrival is timed
/// from the redeem call's answer (the wall clock of this machine on both sides) and checked.
/// </summary>
internal static class NotificationsRun
{
    public const string PortalUrl = "https://rooms.bench.example/";
    public const string Recipient = "lead@bench.example";

    /// <summary>How long one redemption waits for its three arrivals (one-at-a-time mode) before it counts them missing.</summary>
    private static readonly TimeSpan ArrivalBound = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var count = options.Notifications!.Value;
        var data = Path.Combine(Path.GetTempPath(), "roomsportal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var figures = new NotificationFigures
        {
            Redemptions = count,
            BackToBack = options.BackToBack,
            Database = options.Postgres is null ? "SQLite file" : "PostgreSQL",
        };
        figures.Machine.LoadAverageAtStart = (await File.ReadAllTextAsync("/proc/loadavg")).Trim();
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var teams = await WebhookReceiver.StartAsync();
        var smtpPort = FreePort();
        using var smtp = SimpleSmtpServer.Start(smtpPort);
        var mail = new MailReceiver(smtp);
        var environment = new Dictionary<string, string>
        {
            ["Notifications__PortalUrl"] = PortalUrl,
            ["Notifications__AllowPrivateTargets"] = "true",
            ["Notifications__Smtp__Host"] = "127.0.0.1",
            ["Notifications__Smtp__Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications__Smtp__Security"] = "None",
            ["Notifications__Smtp__From"] = "RoomsPortal <roomsportal@bench.example>",
        };
        var requests = new List<TimedRequest>(count);
        string secret;
        Console.WriteLine($"Starting the portal (Release, Production, {figures.Database}) in {data}; load average {figures.Machine.LoadAverageAtStart}");
        try
        {
            await using var portal = await PortalProcess.StartAsync(data, options.Postgres, TimeSpan.FromMinutes(2), environment);
            var admin = TimeSpan.FromMinutes(10);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await portal.CommandAsync("manufacturer " + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), admin);
            var codes = await File.ReadAllLinesAsync((await portal.CommandAsync($"prepare notify {count + 1}", admin)).Split(' ')[1]);
            await portal.CommandAsync("auto off", admin);
            var webhookUrl = new Uri(webhook.Address, "hooks/generic");
            var teamsUrl = new Uri(teams.Address, "webhookb2/bench/IncomingWebhook/bench");
            secret = (await portal.CommandAsync($"notify {webhookUrl} {teamsUrl} {Recipient}", admin)).Split(' ')[1];

            Console.WriteLine($"{count} consoles (and one for a warm-up) verify and accept the agreement");
            var consoles = await ReadyConsolesAsync(portal.Address, key, codes, options.PhaseTimeout);
            try
            {
                Console.WriteLine(options.BackToBack
                    ? $"{count} consoles redeem back to back; then the three receivers are awaited (at most {options.PhaseTimeout.TotalSeconds:0} s)"
                    : $"{count} consoles redeem one at a time, each waiting for its three arrivals (at most {ArrivalBound.TotalSeconds:0} s)");
                // The first redemption after the start pays for JIT on both sides (the redeem path, the dispatcher, MailKit,
                // the HTTP client): timed and shown apart, not counted, as the pages run does.
                var (warmClient, warmCode) = consoles[0];
                var warm = await RedeemAndAwaitAsync(warmClient, warmCode, webhook, teams, mail, options.PhaseTimeout);
                figures.Warmup = NotificationFigures.WarmupOf(warm, webhook.Received, teams.Received, mail.Received);
                var cpuStart = portal.ReadCpuSeconds();
                var watch = Stopwatch.StartNew();
                foreach (var (client, code) in consoles.Skip(1))
                {
                    requests.Add(options.BackToBack
                        ? await RedeemAsync(client, code, options.PhaseTimeout)
                        : await RedeemAndAwaitAsync(client, code, webhook, teams, mail, options.PhaseTimeout));
                }

                figures.RedeemingSeconds = watch.Elapsed.TotalSeconds;
                if (options.BackToBack)
                {
                    var expected = requests.Count(r => r.RequestId != Guid.Empty) + 1;
                    await Task.WhenAll(
                        Bounded(webhook.WaitForAsync(l => l.Count >= expected, options.PhaseTimeout)),
                        Bounded(teams.WaitForAsync(l => l.Count >= expected, options.PhaseTimeout)),
                        mail.WaitForCountAsync(expected, options.PhaseTimeout));
                }

                figures.AllArrivedSeconds = watch.Elapsed.TotalSeconds;
                figures.PortalCpuPercent = (portal.ReadCpuSeconds() - cpuStart) / watch.Elapsed.TotalSeconds * 100;
                figures.LinkWithoutSignIn = await OpenLinkAsync(portal.Address, requests.FirstOrDefault(r => r.RequestId != Guid.Empty));
            }
            finally
            {
                foreach (var (client, _) in consoles)
                {
                    await client.DisposeAsync();
                }
            }

            figures.Machine.LoadAverageAtEnd = (await File.ReadAllTextAsync("/proc/loadavg")).Trim();
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A file still closing: the temp folder is cleared by the OS.
            }
        }

        figures.Measure(requests, webhook.Received, teams.Received, mail.Received, secret);
        figures.Print(Console.Out);
        Directory.CreateDirectory(options.OutputDirectory);
        var file = Path.Combine(options.OutputDirectory,
            $"notifications-{DateTime.UtcNow:yyyyMMdd-HHmmss}-n{count}{(options.BackToBack ? "-back-to-back" : "")}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(figures, NotificationFigures.Json));
        Console.WriteLine($"Written to {file}");
        return figures.AllChecked ? 0 : 1;
    }

    /// <summary>
    /// Every console verified and past the agreement before the first redemption, so the redemptions alone are paced
    /// (each console from its own 127.x address, as in the swarm). Sixteen at a time.
    /// </summary>
    private static async Task<List<(ConsoleSetupClient Client, string Code)>> ReadyConsolesAsync(Uri portal, ECDsa key, string[] codes, TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        using var gate = new SemaphoreSlim(16);
        var ready = await Task.WhenAll(codes.Select(async (code, i) =>
        {
            await gate.WaitAsync(bound.Token);
            try
            {
                var client = new ConsoleSetupClient(SwarmConsole.HttpClientFrom(SwarmConsole.AddressOf(i), portal), SwarmConsole.DeviceOf(key, i));
                await client.VerifyDeviceAsync(bound.Token);
                await client.AcceptAgreementAsync((await client.GetAgreementAsync(bound.Token)).Version, bound.Token);
                return (client, code);
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. ready];
    }

    /// <summary>One redemption, then its three arrivals awaited (each at most <see cref="ArrivalBound"/>; what did not come is counted missing later).</summary>
    private static async Task<TimedRequest> RedeemAndAwaitAsync(
        ConsoleSetupClient client, string code, WebhookReceiver webhook, WebhookReceiver teams, MailReceiver mail, TimeSpan timeout)
    {
        var before = (Webhooks: webhook.Received.Count, Cards: teams.Received.Count, Mails: mail.Count);
        var timed = await RedeemAsync(client, code, timeout);
        if (timed.RequestId != Guid.Empty)
        {
            var id = timed.RequestId.ToString("D");
            await Task.WhenAll(
                Bounded(webhook.WaitForAsync(l => l.Skip(before.Webhooks).Any(r => r.Body.Contains(id, StringComparison.Ordinal)), ArrivalBound)),
                Bounded(teams.WaitForAsync(l => l.Skip(before.Cards).Any(r => r.Body.Contains(id, StringComparison.Ordinal)), ArrivalBound)),
                mail.WaitForAsync(before.Mails, id, ArrivalBound));
        }

        return timed;
    }

    private static async Task<TimedRequest> RedeemAsync(ConsoleSetupClient client, string code, TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var status = await client.RedeemOtpAsync(code, bound.Token);
            return new TimedRequest(status.RequestId, DateTimeOffset.UtcNow, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null);
        }
        catch (Exception ex) when (ex is ConsoleApiException or HttpRequestException or OperationCanceledException)
        {
            return new TimedRequest(Guid.Empty, DateTimeOffset.UtcNow, double.NaN, SwarmConsole.Describe("redeem", ex, bound.IsCancellationRequested));
        }
    }

    /// <summary>A wait that ran out is not an error here: what did not arrive is counted missing afterwards.</summary>
    private static async Task Bounded(Task wait)
    {
        try
        {
            await wait;
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>The notification's link on the real portal without a session: it must send the browser to sign in, then back to the request.</summary>
    private static async Task<string> OpenLinkAsync(Uri portal, TimedRequest? request)
    {
        if (request is null)
        {
            return "no request";
        }

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = portal, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync($"approvals/{request.RequestId:D}");
        return $"{(int)response.StatusCode} {response.Headers.Location}";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Mail as netDumbster hands it over, stamped when the message's DATA ended.</summary>
    private sealed class MailReceiver
    {
        private readonly ConcurrentQueue<ReceivedMail> _received = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public MailReceiver(SimpleSmtpServer smtp) => smtp.MessageReceived += (_, e) =>
        {
            _received.Enqueue(new ReceivedMail(DateTimeOffset.UtcNow, e.Message));
            _arrived.Release();
        };

        public int Count => _received.Count;

        public IReadOnlyList<ReceivedMail> Received => [.. _received];

        /// <summary>Until a message after the first <paramref name="skip"/> mentions <paramref name="requestId"/>, or the bound.</summary>
        public Task WaitForAsync(int skip, string requestId, TimeSpan bound) =>
            WaitAsync(() => Received.Skip(skip).Any(m => m.Mentions(requestId)), bound);

        public Task WaitForCountAsync(int count, TimeSpan bound) => WaitAsync(() => Count >= count, bound);

        private async Task WaitAsync(Func<bool> met, TimeSpan bound)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
            while (!met())
            {
                var left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0 || !await _arrived.WaitAsync(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)))
                {
                    return;
                }
            }
        }
    }
}

/// <summary>One redemption: its request, when its answer came (wall clock), how long the call took, or why it failed.</summary>
internal sealed record TimedRequest(Guid RequestId, DateTimeOffset AnsweredAt, double RedeemMs, string? Error);

/// <summary>One message the SMTP server received, and when.</summary>
internal sealed record ReceivedMail(DateTimeOffset At, SmtpMessage Message)
{
    /// <summary>Whether a decoded body part (text or HTML) contains <paramref name="text"/>.</summary>
    public bool Mentions(string text) => Message.MessageParts.Any(p => p.BodyData.Contains(text, StringComparison.Ordinal));
}
