using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoomsPortal.Bench;

internal sealed record PreparationFigures(double ImportMs, double OtpMs);

internal sealed record WaitingFigures(
    int Consoles, int Polling, double ConnectSeconds, long RssBeforeBytes, long RssWaitingBytes, double BytesPerConsole,
    double CpuPercentWhileWaiting, int PortalOpenFiles, int BenchOpenFiles,
    long GcCommittedBeforeBytes, long GcCommittedWaitingBytes, long LiveHeapBeforeBytes, long LiveHeapWaitingBytes)
{
    /// <summary>Live managed bytes a waiting console adds (both heaps read after a full, compacting collection).</summary>
    public double LiveBytesPerConsole => Consoles == 0 ? 0 : (LiveHeapWaitingBytes - LiveHeapBeforeBytes) / (double)Consoles;
}

/// <summary>
/// A process's garbage collections by generation, the time its threads stood still for them, the longest single pause
/// (since the previous reading) and the memory the GC had committed at the reading.
/// </summary>
internal sealed record GcFigures(int Gen0, int Gen1, int Gen2, double PauseMs, double LongestPauseMs, long CommittedBytes)
{
    /// <summary>This process now; starts the next interval of <see cref="LongestPauseMs"/>.</summary>
    public static GcFigures OfThisProcess() => new(
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds,
        GcPauses.Instance.TakeLongest(), GC.GetGCMemoryInfo().TotalCommittedBytes);

    /// <summary>The host's answer to <c>gc</c>: <c>gc gen0 gen1 gen2 pauseMs longestMs committedBytes</c>.</summary>
    public string ToAnswer() => string.Create(CultureInfo.InvariantCulture, $"gc {Gen0} {Gen1} {Gen2} {PauseMs:0.0} {LongestPauseMs:0.0} {CommittedBytes}");

    public static GcFigures Parse(string answer)
    {
        var parts = answer.Split(' ');
        if (parts.Length != 7 || parts[0] != "gc")
        {
            throw new InvalidOperationException($"The portal answered '{answer}' to gc.");
        }

        return new GcFigures(
            int.Parse(parts[1], CultureInfo.InvariantCulture),
            int.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture),
            double.Parse(parts[4], CultureInfo.InvariantCulture),
            double.Parse(parts[5], CultureInfo.InvariantCulture),
            long.Parse(parts[6], CultureInfo.InvariantCulture));
    }

    /// <summary>What happened between two readings: counts and pause time subtract; the longest and committed are the later reading's.</summary>
    public static GcFigures operator -(GcFigures after, GcFigures before) =>
        new(after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2, after.PauseMs - before.PauseMs,
            after.LongestPauseMs, after.CommittedBytes);

    /// <summary>One report row: counts, pause time (and its share of the interval) and the longest pause.</summary>
    public string Describe(double seconds) => string.Create(CultureInfo.InvariantCulture,
        $"{Gen0} / {Gen1} / {Gen2}, {PauseMs:0} ms ({PauseMs / 10 / seconds:0.0} % of the time), longest {LongestPauseMs:0.0} ms");
}

internal sealed record RedemptionFigures(int Succeeded, int Failed, double Seconds, double PerSecond, double P50Ms, double P99Ms, double MaxMs)
{
    public static RedemptionFigures Of(IReadOnlyCollection<SwarmConsole> consoles, double seconds)
    {
        var times = consoles.Where(c => !double.IsNaN(c.RedeemMs)).Select(c => c.RedeemMs).Order().ToArray();
        var succeeded = consoles.Count(c => c.RequestId != Guid.Empty);
        return new(succeeded, consoles.Count - succeeded, seconds, succeeded / seconds,
            Percentile(times, 50), Percentile(times, 99), times.Length == 0 ? double.NaN : times[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
}

/// <summary>Approval commit to the console knowing it; <see cref="Lost"/> were approved but never learned it.</summary>
internal sealed record LatencyFigures(int Approved, int Received, int Lost, int Drops, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public static LatencyFigures Of(IEnumerable<SwarmConsole> approved)
    {
        var all = approved.ToList();
        var times = all.Select(c => c.LatencyMs).Where(ms => !double.IsNaN(ms)).Order().ToArray();
        return new(all.Count, times.Length, all.Count - times.Length, all.Sum(c => c.Drops), times.Length == 0 ? double.NaN : times.Average(),
            RedemptionFigures.Percentile(times, 50), RedemptionFigures.Percentile(times, 90), RedemptionFigures.Percentile(times, 99),
            times.Length == 0 ? double.NaN : times[^1]);
    }
}

internal sealed class MachineFigures
{
    public int Cores { get; } = Environment.ProcessorCount;

    public string Os { get; } = RuntimeInformation.OSDescription;

    public string Runtime { get; } = RuntimeInformation.FrameworkDescription;

    public string LoadAverageAtStart { get; set; } = "";

    public string LoadAverageAtEnd { get; set; } = "";
}

/// <summary>What the swarm measured: printed as a table and written as JSON.</summary>
internal sealed class BenchReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public string CommandLine { get; } = string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

    public MachineFigures Machine { get; } = new();

    public string Database { get; set; } = "";

    public int Consoles { get; init; }

    public int InFlight { get; init; }

    public double PollingShare { get; init; }

    /// <summary>The consoles negotiated before their WebSocket (<c>--negotiate</c>).</summary>
    public bool Negotiate { get; init; }

    public int OpenFileLimit { get; init; }

    public Dictionary<string, PreparationFigures> Preparation { get; } = [];

    public RedemptionFigures? Redemption { get; set; }

    public double RedemptionCpuPercent { get; set; }

    /// <summary>The bench's own CPU in the same pass: with the portal's, whether the machine was the limit.</summary>
    public double RedemptionSwarmCpuPercent { get; set; }

    public GcFigures? RedemptionGc { get; set; }

    /// <summary>The SQLite file's writer turns in the same pass: whether the one writer, not the machine, set the rate.</summary>
    public WriterFigures? RedemptionWriters { get; set; }

    public RedemptionFigures? RedeemWhileWaiting { get; set; }

    public WaitingFigures? Waiting { get; set; }

    public LatencyFigures? Push { get; set; }

    public LatencyFigures? Polling { get; set; }

    public double ApprovalsPerSecond { get; set; }

    public double ApprovalSeconds { get; set; }

    /// <summary>The portal's collections while the approvals were pushed.</summary>
    public GcFigures? ApprovalGc { get; set; }

    /// <summary>The swarm's own collections in the same time: the consoles' side of a push's latency.</summary>
    public GcFigures? ApprovalSwarmGc { get; set; }

    public long WaitingLogLines { get; set; }

    public long PortalLogLines { get; set; }

    public ErrorCounts Errors { get; } = new();

    public List<string> Notes { get; } = [];

    public void Print(TextWriter output)
    {
        var rows = new List<(string What, string Figure)>
        {
            ("consoles per pass / in flight", $"{Consoles} / {InFlight}{(Negotiate ? ", negotiating" : string.Empty)}"),
            ("database", Database),
        };
        foreach (var (name, prep) in Preparation)
        {
            rows.Add(($"prepare '{name}': import / OTPs", $"{prep.ImportMs:0} ms / {prep.OtpMs:0} ms"));
        }

        if (Redemption is { } r)
        {
            rows.Add(("redemptions/s (verify+agreement+redeem, auto approval on)", $"{r.PerSecond:0.0} ({r.Succeeded} in {r.Seconds:0.0} s)"));
            rows.Add(("redeem call p50 / p99 / max", $"{r.P50Ms:0.0} / {r.P99Ms:0.0} / {r.MaxMs:0.0} ms"));
            rows.Add(("portal CPU during redemptions", $"{RedemptionCpuPercent:0} % of one core, {RedemptionCpuPercent * 10 * r.Seconds / Math.Max(1, r.Succeeded):0.00} ms a redemption"));
            rows.Add(("bench (swarm) CPU during redemptions", $"{RedemptionSwarmCpuPercent:0} % of one core (machine: {Environment.ProcessorCount} cores)"));
            if (RedemptionGc is { } gc)
            {
                rows.Add(("portal GCs during redemptions: gen0 / gen1 / gen2, paused", gc.Describe(r.Seconds)));
            }

            if (RedemptionWriters is { } writers)
            {
                rows.Add(("SQLite writer during redemptions", writers.Describe(r.Seconds, r.Succeeded + r.Failed)));
            }
        }

        if (RedeemWhileWaiting is { } w)
        {
            rows.Add(("redeem call p50 / p99, auto approval off", $"{w.P50Ms:0.0} / {w.P99Ms:0.0} ms"));
        }

        if (Waiting is { } wait)
        {
            rows.Add(("consoles waiting (hub / polling)", $"{wait.Consoles - wait.Polling} / {wait.Polling}, all in after {wait.ConnectSeconds:0.0} s"));
            rows.Add(("portal RSS before / while waiting", $"{wait.RssBeforeBytes / 1048576.0:0} MiB / {wait.RssWaitingBytes / 1048576.0:0} MiB"));
            rows.Add(("per waiting console", $"{wait.BytesPerConsole / 1024:0.0} KiB"));
            rows.Add(("portal GC committed before / while waiting", $"{wait.GcCommittedBeforeBytes / 1048576.0:0} MiB / {wait.GcCommittedWaitingBytes / 1048576.0:0} MiB"));
            rows.Add(("portal live heap before / while waiting (full GC)", $"{wait.LiveHeapBeforeBytes / 1048576.0:0} MiB / {wait.LiveHeapWaitingBytes / 1048576.0:0} MiB, {wait.LiveBytesPerConsole / 1024:0.0} KiB a console"));
            rows.Add(("portal CPU while waiting", $"{wait.CpuPercentWhileWaiting:0.0} % of one core"));
            rows.Add(("open files: portal / bench", $"{wait.PortalOpenFiles} / {wait.BenchOpenFiles} (limit {OpenFileLimit})"));
        }

        if (Push is { } push)
        {
            rows.Add(("push p50 / p90 / p99 / max (commit -> console)", $"{push.P50Ms:0.00} / {push.P90Ms:0.00} / {push.P99Ms:0.00} / {push.MaxMs:0.00} ms"));
            rows.Add(("pushes received / lost, drops", $"{push.Received} / {push.Lost}, {push.Drops}"));
            rows.Add(("approvals/s (one admin, one after another)", $"{ApprovalsPerSecond:0.0}"));
            if (ApprovalGc is { } portalGc)
            {
                rows.Add(("portal GCs during approvals: gen0 / gen1 / gen2, paused", portalGc.Describe(ApprovalSeconds)));
            }

            if (ApprovalSwarmGc is { } swarmGc)
            {
                rows.Add(("bench GCs during approvals: gen0 / gen1 / gen2, paused", swarmGc.Describe(ApprovalSeconds)));
            }
        }

        if (Polling is { } poll && Push is { } p)
        {
            rows.Add(("polling mean (every 5 s)", $"{poll.MeanMs:0} ms ({poll.Received} of {poll.Approved})"));
            rows.Add(("push mean, polling mean / push mean", $"{p.MeanMs:0.00} ms, {poll.MeanMs / p.MeanMs:0}x"));
        }

        rows.Add(("portal log lines while waiting / whole run", $"{WaitingLogLines} / {PortalLogLines}"));
        rows.Add(("errors", Errors.IsEmpty ? "none" : string.Join("; ", Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key}: {e.Value}"))));
        rows.Add(("load average start / end", $"{Machine.LoadAverageAtStart} / {Machine.LoadAverageAtEnd}"));

        var width = rows.Max(row => row.What.Length);
        output.WriteLine();
        foreach (var (what, figure) in rows)
        {
            output.WriteLine($"{what.PadRight(width)}  {figure}");
        }

        foreach (var note in Notes)
        {
            output.WriteLine("note: " + note);
        }
    }

    public string Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"bench-{StartedAt:yyyyMMdd-HHmmss}-n{Consoles}.json"));
        File.WriteAllText(file, JsonSerializer.Serialize(this, Json));
        return file;
    }
}
