using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.Bench;

/// <summary>
/// The console swarm. Pass 1 (auto approval off): N consoles verify, accept the agreement and redeem; most then wait
/// on the console hub, a share polls every 5 s; once all wait, the portal's memory and CPU are read, then every request
/// is approved one after another through ApprovalService and each console's reception is timed against the commit.
/// Pass 2 (auto approval on): N more consoles verify, accept and redeem, for the redemption rate.
/// </summary>
internal static class Swarm
{
    public const string Make = "Benchmark Devices";
    public const string Model = "Swarm Console 1";

    /// <summary>
    /// Files each process needs besides the consoles' sockets (runtime, pipes, log; in the portal also the SQLite file,
    /// its -wal and -shm per pooled connection).
    /// </summary>
    private const int Reserve = 400;

    /// <summary>How long the portal host may take to answer a figures command (gc).</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromMinutes(1);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        // A settled waiting console holds one socket in each process (its WebSocket; a polling console its HTTP
        // connection); a console between start and waiting holds two (HTTP and WebSocket), and one that just started
        // waiting keeps its HTTP connection for WaitingHttpIdle more. The portal is this process's child: same limit.
        var limit = OpenFileLimit();
        var fits = limit - Reserve - (3 * options.InFlight);
        if (options.Consoles > fits)
        {
            await Console.Error.WriteLineAsync(
                $"The open-file limit ({limit}, `ulimit -n`, the same for the portal it starts) allows about {fits} " +
                $"waiting consoles at --in-flight {options.InFlight} (one socket each once waiting); {options.Consoles} would stop " +
                $"on that limit, not on the portal's capacity. Raise `ulimit -n` or run with --consoles {fits}.");
            return 3;
        }

        var data = Path.Combine(Path.GetTempPath(), "roomsportal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var report = new BenchReport { Consoles = options.Consoles, InFlight = options.InFlight, PollingShare = options.PollingShare, Negotiate = options.Negotiate, OpenFileLimit = limit };
        report.Machine.LoadAverageAtStart = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine($"Starting the portal (Release, Production, {(options.Postgres is null ? "SQLite" : "PostgreSQL")}) in {data}");
        try
        {
            await using var portal = await PortalProcess.StartAsync(data, options.Postgres, TimeSpan.FromMinutes(2));
            report.Database = options.Postgres is null ? "SQLite file" : "PostgreSQL";
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var admin = TimeSpan.FromMinutes(10);
            await portal.CommandAsync("manufacturer " + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), admin);

            Console.WriteLine($"Preparing 2 x {options.Consoles} accounts and OTPs through the automation API (/api/v1)");
            var waitCodes = await PrepareAsync(portal, "wait", options.Consoles, admin, report);
            var redeemCodes = await PrepareAsync(portal, "redeem", options.Consoles, admin, report);

            await portal.CommandAsync("auto off", admin);
            Console.WriteLine($"Pass 1: {options.Consoles} consoles redeem and wait ({options.PollingShare:P0} polling), then each is approved");
            await WaitingPassAsync(portal, key, waitCodes, options, report);

            await portal.CommandAsync("auto on", admin);
            Console.WriteLine($"Pass 2: {options.Consoles} consoles redeem with auto approval on");
            await RedemptionPassAsync(portal, key, redeemCodes, options, report);
            report.PortalLogLines = portal.LogLines;
        }
        finally
        {
            TryDelete(data);
        }

        report.Machine.LoadAverageAtEnd = File.ReadAllText("/proc/loadavg").Trim();
        report.Print(Console.Out);
        var file = report.Write(options.OutputDirectory);
        Console.WriteLine($"Written to {file}");
        return report.Errors.IsEmpty ? 0 : 1;
    }

    private static async Task<string[]> PrepareAsync(PortalProcess portal, string prefix, int count, TimeSpan timeout, BenchReport report)
    {
        var reply = (await portal.CommandAsync($"prepare {prefix} {count}", timeout)).Split(' ');
        report.Preparation[prefix] = new PreparationFigures(
            double.Parse(reply[2], CultureInfo.InvariantCulture), double.Parse(reply[3], CultureInfo.InvariantCulture));
        return await File.ReadAllLinesAsync(reply[1]);
    }

    private static async Task WaitingPassAsync(PortalProcess portal, ECDsa key, string[] codes, BenchOptions options, BenchReport report)
    {
        var pollEvery = options.PollingShare > 0 ? (int)Math.Round(1 / options.PollingShare) : int.MaxValue;
        var consoles = codes.Select((code, i) => new SwarmConsole(i, i % pollEvery == pollEvery - 1 ? ConsoleMode.Poll : ConsoleMode.Push, code)).ToArray();
        using var phase = new CancellationTokenSource(options.PhaseTimeout * 2);
        using var gate = new SemaphoreSlim(options.InFlight);
        var unsettled = consoles.Length;
        var allWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Settled()
        {
            if (Interlocked.Decrement(ref unsettled) == 0)
            {
                allWaiting.TrySetResult();
            }
        }

        var heapBefore = await LiveHeapAsync(portal);
        var gcBefore = GcFigures.Parse(await portal.CommandAsync("gc", AnswerTimeout));
        var rssBefore = portal.ReadRss();
        var logBefore = portal.LogLines;
        var watch = Stopwatch.StartNew();
        var tasks = consoles.Select(c => Task.Run(() => RunWaitingConsoleAsync(c, portal.Address, key, gate, Settled, options, report, phase))).ToArray();
        try
        {
            await allWaiting.Task.WaitAsync(options.PhaseTimeout);
        }
        catch (TimeoutException)
        {
            report.Notes.Add($"Not every console was waiting after {options.PhaseTimeout.TotalSeconds:0} s; measured those that were.");
        }

        var connectSeconds = watch.Elapsed.TotalSeconds;
        var waiting = consoles.Count(c => c.IsWaiting);
        var cpuStart = portal.ReadCpuSeconds();
        var sampleWatch = Stopwatch.StartNew();
        await Task.Delay(options.SampleWindow);
        var cpu = (portal.ReadCpuSeconds() - cpuStart) / sampleWatch.Elapsed.TotalSeconds;
        var rssWaiting = portal.ReadRss();
        var gcWaiting = GcFigures.Parse(await portal.CommandAsync("gc", AnswerTimeout));
        var heapWaiting = await LiveHeapAsync(portal);
        report.Waiting = new WaitingFigures(
            waiting, consoles.Count(c => c.IsWaiting && c.Mode == ConsoleMode.Poll), connectSeconds,
            rssBefore, rssWaiting, waiting == 0 ? 0 : (rssWaiting - rssBefore) / (double)waiting, cpu * 100,
            portal.ReadOpenFiles(), Directory.GetFiles("/proc/self/fd").Length,
            gcBefore.CommittedBytes, gcWaiting.CommittedBytes, heapBefore, heapWaiting);

        // An admin on the Approvals page, one request after another. Both processes' collections are counted: a push
        // is late when either stood still.
        var portalGcStart = GcFigures.Parse(await portal.CommandAsync("gc", AnswerTimeout));
        var swarmGcStart = GcFigures.OfThisProcess();
        var approveWatch = Stopwatch.StartNew();
        var approved = 0;
        foreach (var console in consoles.Where(c => c.RequestId != Guid.Empty && c.Error is null))
        {
            if (phase.IsCancellationRequested)
            {
                break;
            }

            var reply = await portal.CommandAsync($"approve {console.RequestId}", TimeSpan.FromMinutes(1));
            console.CommittedAt = long.Parse(reply.Split(' ')[1], CultureInfo.InvariantCulture);
            approved++;
        }

        var approveSeconds = approveWatch.Elapsed.TotalSeconds;
        report.ApprovalGc = GcFigures.Parse(await portal.CommandAsync("gc", AnswerTimeout)) - portalGcStart;
        report.ApprovalSwarmGc = GcFigures.OfThisProcess() - swarmGcStart;
        try
        {
            await Task.WhenAll(tasks).WaitAsync(options.PhaseTimeout);
        }
        catch (TimeoutException)
        {
            await phase.CancelAsync();
            await Task.WhenAll(tasks);
        }

        report.Push = LatencyFigures.Of(consoles.Where(c => c.Mode == ConsoleMode.Push && c.CommittedAt != 0));
        report.Polling = LatencyFigures.Of(consoles.Where(c => c.Mode == ConsoleMode.Poll && c.CommittedAt != 0));
        report.ApprovalsPerSecond = approved / approveSeconds;
        report.ApprovalSeconds = approveSeconds;
        report.RedeemWhileWaiting = RedemptionFigures.Of(consoles, connectSeconds);
        report.WaitingLogLines = portal.LogLines - logBefore;
    }

    private static async Task RunWaitingConsoleAsync(
        SwarmConsole console, Uri portal, ECDsa key, SemaphoreSlim gate, Action settled, BenchOptions options, BenchReport report, CancellationTokenSource phase)
    {
        var ct = phase.Token;
        var released = 0;
        void Release()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
                settled();
            }
        }

        var stage = "start";
        try
        {
            await gate.WaitAsync(ct);
            using var http = SwarmConsole.HttpClientFrom(SwarmConsole.AddressOf(console.Index), portal, waitsOnHub: console.Mode == ConsoleMode.Push);
            await using var client = new ConsoleSetupClient(http, SwarmConsole.DeviceOf(key, console.Index)) { Negotiate = options.Negotiate };
            client.ConnectionChanged += change =>
            {
                if (change is "reconnecting" or "credential-expired" && console.DecidedAt == 0)
                {
                    console.Drops++;
                }
            };
            var status = await RedeemAsync(client, console, s => stage = s, ct);
            if (status.IsFinal)
            {
                throw new InvalidOperationException($"Redeem answered {status.Status} with auto approval off.");
            }

            if (console.Mode == ConsoleMode.Poll)
            {
                Release();
                stage = "poll";
                // Bounded: the phase token ends it at the latest.
                while (console.FinalStatus is null)
                {
                    await Task.Delay(options.PollInterval, ct);
                    var polled = await client.GetStatusAsync(console.RequestId, ct);
                    console.Polls++;
                    if (polled.IsFinal)
                    {
                        console.DecidedAt = Stopwatch.GetTimestamp();
                        console.FinalStatus = polled.Status;
                    }
                }
            }
            else
            {
                stage = "hub";
                await client.WaitForDecisionAsync(console.RequestId, new HubObserver(console, Release), ct);
            }
        }
#pragma warning disable CA1031 // Every failure is counted in the report by stage and status; the swarm goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            console.Error = SwarmConsole.Describe(stage, ex, phase.IsCancellationRequested);
            report.Errors.AddOrUpdate(console.Error, 1, (_, n) => n + 1);
        }
        finally
        {
            Release();
        }
    }

    private static async Task RedemptionPassAsync(PortalProcess portal, ECDsa key, string[] codes, BenchOptions options, BenchReport report)
    {
        var consoles = codes.Select((code, i) => new SwarmConsole(options.Consoles + i, ConsoleMode.Redeem, code)).ToArray();
        using var phase = new CancellationTokenSource(options.PhaseTimeout);
        using var gate = new SemaphoreSlim(options.InFlight);
        var gcStart = GcFigures.Parse(await portal.CommandAsync("gc", AnswerTimeout));
        var writersStart = WriterFigures.Parse(await portal.CommandAsync("writers", AnswerTimeout));
        var swarmCpuStart = Environment.CpuUsage.TotalTime;
        var cpuStart = portal.ReadCpuSeconds();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(consoles.Select(c => Task.Run(async () =>
        {
            var stage = "start";
            try
            {
                await gate.WaitAsync(phase.Token);
                try
                {
                    using var http = SwarmConsole.HttpClientFrom(SwarmConsole.AddressOf(c.Index), portal.Address);
                    await using var client = new ConsoleSetupClient(http, SwarmConsole.DeviceOf(key, c.Index));
                    var status = await RedeemAsync(client, c, s => stage = s, phase.Token);
                    c.FinalStatus = status.Status;
                    if (status.Status != SetupStatus.Approved)
                    {
                        throw new InvalidOperationException($"Redeem answered {status.Status} with auto approval on.");
                    }
                }
                finally
                {
                    gate.Release();
                }
            }
#pragma warning disable CA1031 // Counted in the report, as above.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                c.Error = SwarmConsole.Describe(stage, ex, phase.IsCancellationRequested);
                report.Errors.AddOrUpdate(c.Error, 1, (_, n) => n + 1);
            }
        })));
        var seconds = watch.Elapsed.TotalSeconds;
        report.Redemption = RedemptionFigures.Of(consoles, seconds);
        report.RedemptionCpuPercent = (portal.ReadCpuSeconds() - cpuStart) / seconds * 100;
        report.RedemptionSwarmCpuPercent = (Environment.CpuUsage.TotalTime - swarmCpuStart).TotalSeconds / seconds * 100;
        report.RedemptionGc = GcFigures.Parse(await portal.CommandAsync("gc", AnswerTimeout)) - gcStart;
        report.RedemptionWriters = WriterFigures.Parse(await portal.CommandAsync("writers", AnswerTimeout)) - writersStart;
    }

    /// <summary>The portal's live managed heap after a full, compacting collection (the host's <c>memory</c> command).</summary>
    private static async Task<long> LiveHeapAsync(PortalProcess portal) =>
        long.Parse((await portal.CommandAsync("memory", AnswerTimeout)).Split(' ')[1], CultureInfo.InvariantCulture);

    /// <summary>Verification (signed device statement), the agreement, and the redemption, which alone is timed.</summary>
    internal static async Task<SetupStatusResponse> RedeemAsync(ConsoleSetupClient client, SwarmConsole console, Action<string> stage, CancellationToken ct)
    {
        stage("verify");
        await client.VerifyDeviceAsync(ct);
        stage("agreement");
        var agreement = await client.GetAgreementAsync(ct);
        await client.AcceptAgreementAsync(agreement.Version, ct);
        stage("redeem");
        var started = Stopwatch.GetTimestamp();
        var status = await client.RedeemOtpAsync(console.Code, ct);
        console.RedeemMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        console.RequestId = status.RequestId;
        return status;
    }

    /// <summary>The soft limit on open files of this process (/proc/self/limits).</summary>
    private static int OpenFileLimit()
    {
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return soft == "unlimited" ? int.MaxValue : int.Parse(soft, CultureInfo.InvariantCulture);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing: the temp folder is cleared by the OS.
        }
    }

    /// <summary>Sees every status the SDK sees: the first (Pending, from Watch) means the console waits; a final one is timed.</summary>
    private sealed class HubObserver(SwarmConsole console, Action waiting) : IProgress<SetupStatusResponse>
    {
        public void Report(SetupStatusResponse value)
        {
            if (value.IsFinal)
            {
                if (console.DecidedAt == 0)
                {
                    console.DecidedAt = Stopwatch.GetTimestamp();
                    console.FinalStatus = value.Status;
                }
            }
            else
            {
                waiting();
            }
        }
    }
}

/// <summary>Thread-safe error counts.</summary>
internal sealed class ErrorCounts : ConcurrentDictionary<string, int>;
