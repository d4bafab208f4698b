using System.Globalization;
using System.Text.Json.Serialization;

namespace RoomsPortal.Bench;

/// <summary>What <c>--pages</c> measured; times in milliseconds, memory in bytes.</summary>
internal sealed class PagesFigures
{
    public int Pages { get; init; }

    public int Redemptions { get; init; }

    public string LoadAverageAtStart { get; init; } = "";

    public string LoadAverageAtEnd { get; set; } = "";

    public double OpenSeconds { get; set; }

    public long ManagedBefore { get; set; }

    public long ManagedAfter { get; set; }

    public long RssBefore { get; set; }

    public long RssAfter { get; set; }

    [JsonIgnore]
    public double ManagedPerCircuit => (ManagedAfter - ManagedBefore) / (double)(Pages - 1);

    [JsonIgnore]
    public double RssPerCircuit => (RssAfter - RssBefore) / (double)(Pages - 1);

    public List<double> RedeemCallMs { get; } = [];

    /// <summary>Per page and redemption: the redeem call's answer to the page showing the request.</summary>
    public List<double> ShownAfterAnswerMs { get; } = [];

    /// <summary>Per redemption: the redeem call's answer to the last page showing it.</summary>
    public List<double> EveryPageShownAfterAnswerMs { get; } = [];

    public List<double> ApproveCallMs { get; } = [];

    /// <summary>Per page and approval: the approval's answer to the request leaving the page's queue.</summary>
    public List<double> ClearedAfterAnswerMs { get; } = [];

    public List<double> EveryPageClearedAfterAnswerMs { get; } = [];

    public void Print(TextWriter output)
    {
        var rows = new List<(string, string)>
        {
            ("Approvals pages (circuits) / redemptions", $"{Pages} / {Redemptions} (+1 warm-up, not counted)"),
            ("pages open and live after", $"{OpenSeconds:0.0} s"),
            ("portal managed heap with 1 / all pages (full GC)", $"{Mib(ManagedBefore)} / {Mib(ManagedAfter)} MiB"),
            ("per circuit, managed heap (<= 200 KB)", $"{ManagedPerCircuit / 1024:0.0} KiB"),
            ("portal RSS with 1 / all pages", $"{Mib(RssBefore)} / {Mib(RssAfter)} MiB"),
            ("per circuit, RSS", $"{RssPerCircuit / 1024:0.0} KiB"),
            ("redeem call p50 / max", Spread(RedeemCallMs, 50, 100)),
            ("redeem answer -> a page shows it, p50 / p90 / p99 / max", Spread(ShownAfterAnswerMs, 50, 90, 99, 100)),
            ("redeem answer -> every page shows it, p50 / max", Spread(EveryPageShownAfterAnswerMs, 50, 100)),
            ("approve call p50 / max", Spread(ApproveCallMs, 50, 100)),
            ("approval answer -> a page drops it, p50 / p90 / p99 / max", Spread(ClearedAfterAnswerMs, 50, 90, 99, 100)),
            ("approval answer -> every page dropped it, p50 / max", Spread(EveryPageClearedAfterAnswerMs, 50, 100)),
            ("load average start / end", $"{LoadAverageAtStart} / {LoadAverageAtEnd}"),
        };
        var width = rows.Max(r => r.Item1.Length) + 2;
        output.WriteLine();
        foreach (var (name, value) in rows)
        {
            output.WriteLine(name.PadRight(width) + value);
        }
    }

    private static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Spread(List<double> values, params double[] percentiles)
    {
        var sorted = values.Order().ToArray();
        return string.Join(" / ", percentiles.Select(p => RedemptionFigures.Percentile(sorted, p).ToString("0.0", CultureInfo.InvariantCulture))) + " ms";
    }
}
