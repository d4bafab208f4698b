using System.Globalization;

namespace RoomsPortal.Bench;

/// <summary>Command line of the swarm.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        dotnet run -c Release --project bench/RoomsPortal.Bench -- [options]
          --consoles N        consoles in each pass (default 1000)
          --in-flight N       consoles verifying/redeeming/connecting at once (default 64)
          --polling-share F   share of the waiting consoles that poll every 5 s instead of the hub (default 0.1)
          --poll-interval S   seconds between status polls (default 5, RFC 8628's default interval)
          --sample-seconds S  how long the portal's CPU is sampled while the consoles wait (default 5)
          --timeout S         upper bound for each phase (default 300)
          --postgres CONNSTR  run the portal on this PostgreSQL database (it must be empty) instead of a SQLite file
          --negotiate         consoles negotiate before their WebSocket (ConsoleSetupClient.Negotiate), as they must
                              with Azure SignalR Service on (docs/scale-out.md); default: the WebSocket straight away
          --out DIR           where the JSON report goes (default artifacts/bench)
          --batch N           instead of the swarm: import N accounts, generate one OTP batch for all of them in one
                              service call (timed), then the same batch again, which replaces every code (timed)
          --sheets N          instead of the swarm: build the installation sheets PDF for N rooms (timed)
          --pages N           instead of the swarm: N signed-in Approvals pages in headless Chromium; memory per
                              circuit, and the time from a redemption (and an approval) to every page showing it
          --redemptions N     with --pages: consoles that redeem one after another (default 20)
          --notifications [N] instead of the swarm: N consoles redeem (auto approval off) and the request.pending
                              event's webhook, Teams card and email are timed from the redeem answer to their
                              receivers in this process (default 50, 1 to 1000); each waits for its three arrivals
          --back-to-back      with --notifications: redeem all N one after another without waiting for arrivals
        """;

    public int Consoles { get; init; } = 1000;

    public int InFlight { get; init; } = 64;

    public double PollingShare { get; init; } = 0.1;

    /// <summary>Consoles negotiate (an HTTP POST) before opening their WebSocket.</summary>
    public bool Negotiate { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan SampleWindow { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan PhaseTimeout { get; init; } = TimeSpan.FromSeconds(300);

    public string? Postgres { get; init; }

    public string OutputDirectory { get; init; } = Path.Combine("artifacts", "bench");

    public bool Help { get; init; }

    /// <summary>With a value, the run times one OTP batch of this many accounts instead of running the swarm.</summary>
    public int? Batch { get; init; }

    /// <summary>With a value, the run times building the installation sheets PDF for this many rooms.</summary>
    public int? Sheets { get; init; }

    /// <summary>With a value, the run opens this many Approvals pages in Chromium instead of running the swarm.</summary>
    public int? Pages { get; init; }

    /// <summary>With <see cref="Pages"/>: how many consoles redeem one after another.</summary>
    public int Redemptions { get; init; } = 20;

    /// <summary>The default of <c>--notifications</c> given without a number.</summary>
    public const int DefaultNotifications = 50;

    /// <summary>The most <c>--notifications</c> allows (one account, console and three arrivals each).</summary>
    public const int MaxNotifications = 1000;

    /// <summary>With a value, the run times notification arrivals for this many redemptions instead of running the swarm.</summary>
    public int? Notifications { get; init; }

    /// <summary>With <see cref="Notifications"/>: redeem all without waiting for each one's arrivals.</summary>
    public bool BackToBack { get; init; }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            string? Optional() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            options = args[i] switch
            {
                "--consoles" => options with { Consoles = Int(Next(), 1, 100_000, "--consoles") },
                "--in-flight" => options with { InFlight = Int(Next(), 1, 4096, "--in-flight") },
                "--polling-share" => options with { PollingShare = Share(Next()) },
                "--poll-interval" => options with { PollInterval = TimeSpan.FromSeconds(Int(Next(), 1, 60, "--poll-interval")) },
                "--sample-seconds" => options with { SampleWindow = TimeSpan.FromSeconds(Int(Next(), 1, 120, "--sample-seconds")) },
                "--timeout" => options with { PhaseTimeout = TimeSpan.FromSeconds(Int(Next(), 10, 3600, "--timeout")) },
                "--postgres" => options with { Postgres = Next() },
                "--negotiate" => options with { Negotiate = true },
                "--out" => options with { OutputDirectory = Next() },
                "--batch" => options with { Batch = Int(Next(), 1, Core.Otps.OtpService.MaxBatchSize, "--batch") },
                "--sheets" => options with { Sheets = Int(Next(), 1, Core.Otps.OtpService.MaxBatchSize, "--sheets") },
                "--pages" => options with { Pages = Int(Next(), 2, 500, "--pages") },
                "--redemptions" => options with { Redemptions = Int(Next(), 1, 1000, "--redemptions") },
                "--notifications" => options with
                {
                    Notifications = Optional() is { } n ? Int(n, 1, MaxNotifications, "--notifications") : DefaultNotifications,
                },
                "--back-to-back" => options with { BackToBack = true },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return options.BackToBack && options.Notifications is null
            ? throw new ArgumentException("--back-to-back goes with --notifications.")
            : options;
    }

    private static int Int(string value, int min, int max, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}.");

    private static double Share(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share is >= 0 and < 1
            ? share
            : throw new ArgumentException("--polling-share must be at least 0 and below 1.");
}
