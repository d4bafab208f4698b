using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using RoomsPortal.Testing;

namespace RoomsPortal.Bench;

/// <summary>One channel's arrivals: latency from the redeem answer (negative: it came first), and what was wrong.</summary>
internal sealed class ChannelFigures(string channel)
{
    public string Channel { get; } = channel;

    /// <summary>Per request that arrived (first arrival), milliseconds after the redeem call answered.</summary>
    public List<double> LatencyMs { get; } = [];

    public int Expected { get; set; }

    public int Missing { get; set; }

    /// <summary>Arrivals that failed a check (signature, link, card), with the first few reasons.</summary>
    public int Invalid { get; set; }

    public List<string> InvalidReasons { get; } = [];

    /// <summary>A second arrival of the same request (allowed by at-least-once delivery, but counted).</summary>
    public int Duplicates { get; set; }

    /// <summary>Arrivals naming no request of this run.</summary>
    public int Unmatched { get; set; }

    public int BeforeAnswer => LatencyMs.Count(ms => ms < 0);

    /// <summary>Share of the expected requests that arrived within a second of the answer (missing ones count as late).</summary>
    public double WithinOneSecond => Expected == 0 ? double.NaN : LatencyMs.Count(ms => ms <= 1000) / (double)Expected;

    public void Fail(string reason)
    {
        Invalid++;
        if (InvalidReasons.Count < 5)
        {
            InvalidReasons.Add(reason);
        }
    }
}

/// <summary>What <c>--notifications</c> measured; printed as a table and written as JSON.</summary>
internal sealed partial class NotificationFigures
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Adaptive Card versions Teams renders (1.5 on desktop and web, 1.4 where it is lower); a card must declare one.</summary>
    private static readonly string[] CardVersions = ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5"];

    /// <summary>Body elements and actions of Adaptive Cards 1.0, which every later version keeps.</summary>
    private static readonly string[] CardElements = ["TextBlock", "FactSet", "Image", "ImageSet", "Container", "ColumnSet"];

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public string CommandLine { get; } = string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

    public MachineFigures Machine { get; } = new();

    public int Redemptions { get; init; }

    public bool BackToBack { get; init; }

    public string Database { get; init; } = "";

    public double RedeemingSeconds { get; set; }

    public double AllArrivedSeconds { get; set; }

    public double PortalCpuPercent { get; set; }

    public List<double> RedeemCallMs { get; } = [];

    /// <summary>The first redemption after the start (JIT on both sides), not counted in the figures.</summary>
    public WarmupFigures? Warmup { get; set; }

    public Dictionary<string, int> RedeemErrors { get; } = [];

    /// <summary>The first request's link opened on the portal without a session: the status and where it sends the browser.</summary>
    public string LinkWithoutSignIn { get; set; } = "";

    public ChannelFigures Webhook { get; } = new("webhook");

    public ChannelFigures Teams { get; } = new("Teams");

    public ChannelFigures Email { get; } = new("email");

    /// <summary>Per request: the last of its three arrivals (the acceptance's "within a second").</summary>
    public ChannelFigures AllThree { get; } = new("all three");

    [JsonIgnore]
    public bool AllChecked => RedeemErrors.Count == 0
        && new[] { Webhook, Teams, Email }.All(c => c.Missing == 0 && c.Invalid == 0 && c.Unmatched == 0);

    public void Measure(
        IReadOnlyList<TimedRequest> requests, IReadOnlyList<ReceivedWebhook> webhooks, IReadOnlyList<ReceivedWebhook> cards,
        IReadOnlyList<ReceivedMail> mails, string secret)
    {
        foreach (var failed in requests.Where(r => r.Error is not null))
        {
            RedeemErrors[failed.Error!] = RedeemErrors.GetValueOrDefault(failed.Error!) + 1;
        }

        RedeemCallMs.AddRange(requests.Where(r => r.Error is null).Select(r => r.RedeemMs));
        var answered = requests.Where(r => r.Error is null).ToDictionary(r => r.RequestId, r => r.AnsweredAt);
        // The warm-up's arrivals are its own (WarmupOf), not a request of the figures nor an unmatched arrival.
        webhooks = [.. webhooks.Where(w => Warmup is null || !w.Body.Contains(Warmup.RequestId.ToString("D"), StringComparison.Ordinal))];
        cards = [.. cards.Where(c => Warmup is null || !c.Body.Contains(Warmup.RequestId.ToString("D"), StringComparison.Ordinal))];
        mails = [.. mails.Where(m => Warmup is null || !m.Mentions(Warmup.RequestId.ToString("D")))];
        var webhookAt = Match(Webhook, answered, webhooks.Select(w => (w.At, CheckWebhook(w, secret))));
        var teamsAt = Match(Teams, answered, cards.Select(c => (c.At, CheckCard(c))));
        var emailAt = Match(Email, answered, mails.Select(m => (m.At, CheckMail(m))));
        AllThree.Expected = answered.Count;
        foreach (var (id, at) in answered)
        {
            if (webhookAt.TryGetValue(id, out var w) && teamsAt.TryGetValue(id, out var t) && emailAt.TryGetValue(id, out var e))
            {
                AllThree.LatencyMs.Add(new[] { w, t, e }.Max(a => (a - at).TotalMilliseconds));
            }
            else
            {
                AllThree.Missing++;
            }
        }
    }

    /// <summary>The warm-up redemption's call and its three arrivals after the answer (NaN: did not arrive).</summary>
    public static WarmupFigures WarmupOf(
        TimedRequest warm, IReadOnlyList<ReceivedWebhook> webhooks, IReadOnlyList<ReceivedWebhook> cards, IReadOnlyList<ReceivedMail> mails)
    {
        ArgumentNullException.ThrowIfNull(warm);
        var id = warm.RequestId.ToString("D");
        double After(DateTimeOffset? at) => at is { } t ? (t - warm.AnsweredAt).TotalMilliseconds : double.NaN;
        return new WarmupFigures(
            warm.RequestId, warm.RedeemMs,
            After(webhooks.FirstOrDefault(w => w.Body.Contains(id, StringComparison.Ordinal))?.At),
            After(cards.FirstOrDefault(c => c.Body.Contains(id, StringComparison.Ordinal))?.At),
            After(mails.FirstOrDefault(m => m.Mentions(id))?.At));
    }

    /// <summary>Each channel's first arrival per request, its latency and its checks.</summary>
    private static Dictionary<Guid, DateTimeOffset> Match(
        ChannelFigures figures, Dictionary<Guid, DateTimeOffset> answered, IEnumerable<(DateTimeOffset At, (Guid? Id, string? Problem) Check)> arrivals)
    {
        figures.Expected = answered.Count;
        var first = new Dictionary<Guid, DateTimeOffset>();
        foreach (var (at, (id, problem)) in arrivals)
        {
            if (id is not { } requestId || !answered.TryGetValue(requestId, out var answer))
            {
                figures.Unmatched++;
                continue;
            }

            if (problem is not null)
            {
                figures.Fail(problem);
            }

            if (!first.TryAdd(requestId, at))
            {
                figures.Duplicates++;
                continue;
            }

            figures.LatencyMs.Add((at - answer).TotalMilliseconds);
        }

        figures.Missing = answered.Count - first.Count;
        return first;
    }

    /// <summary>The generic webhook, checked as docs/notifications.md tells a receiver: signature over "t.body", the event, the link.</summary>
    private static (Guid?, string?) CheckWebhook(ReceivedWebhook received, string secret)
    {
        var body = JsonNode.Parse(received.Body)!;
        var id = Guid.TryParse(body["data"]?["requestId"]?.GetValue<string>(), out var parsed) ? parsed : (Guid?)null;
        var problem = !received.SignatureIsValid(secret, received.At) ? "signature does not match"
            : body["type"]?.GetValue<string>() != "request.pending" || received.Header("RoomsPortal-Event-Type") != "request.pending" ? "not request.pending"
            : body["link"]?.GetValue<string>() != Link(id) ? $"link {body["link"]}"
            : null;
        return (id, problem);
    }

    /// <summary>A Teams message: one Adaptive Card attachment of a version Teams renders, with only elements of that version, and OpenUrl buttons to the request.</summary>
    private static (Guid?, string?) CheckCard(ReceivedWebhook received)
    {
        var message = JsonNode.Parse(received.Body)!;
        var attachment = message["attachments"]?.AsArray().SingleOrDefault();
        var card = attachment?["content"];
        var actions = card?["actions"]?.AsArray() ?? [];
        var urls = actions.Select(a => a?["url"]?.GetValue<string>()).ToList();
        var id = urls.Select(RequestIdIn).FirstOrDefault(g => g is not null);
        var version = card?["version"]?.GetValue<string>();
        var problem = message["type"]?.GetValue<string>() != "message" || attachment?["contentType"]?.GetValue<string>() != "application/vnd.microsoft.card.adaptive"
                ? "not a message with one Adaptive Card attachment"
            : card?["type"]?.GetValue<string>() != "AdaptiveCard" || !CardVersions.Contains(version) ? $"card version '{version}' is not one Teams renders"
            : card!["body"]!.AsArray().Any(e => !CardElements.Contains(e?["type"]?.GetValue<string>())) ? "a body element newer than the card's version"
            : actions.Count == 0 || actions.Any(a => a?["type"]?.GetValue<string>() != "Action.OpenUrl") ? "actions are not all Action.OpenUrl"
            : urls.Any(u => u != Link(id)) ? "an action does not open the request"
            : null;
        return (id, problem);
    }

    /// <summary>The email: to the Site Lead alone, with the link to the request in its text and HTML parts.</summary>
    private static (Guid?, string?) CheckMail(ReceivedMail mail)
    {
        var id = mail.Message.MessageParts.Select(p => RequestIdIn(p.BodyData)).FirstOrDefault(g => g is not null);
        var problem = mail.Message.ToAddresses.Length != 1 || mail.Message.ToAddresses[0].Address != NotificationsRun.Recipient ? "not to the Site Lead alone"
            : mail.Message.MessageParts.Length < 2 || !mail.Message.MessageParts.All(p => p.BodyData.Contains(Link(id), StringComparison.Ordinal)) ? "a part without the link"
            : null;
        return (id, problem);
    }

    private static string Link(Guid? requestId) => $"{NotificationsRun.PortalUrl}approvals/{requestId:D}";

    private static Guid? RequestIdIn(string? text) =>
        text is not null && RequestLink().Match(text) is { Success: true } m ? Guid.Parse(m.Groups[1].Value) : null;

    [GeneratedRegex(@"/approvals/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")]
    private static partial Regex RequestLink();

    public void Print(TextWriter output)
    {
        var calls = RedeemCallMs.Order().ToArray();
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Redemptions} redemptions {(BackToBack ? "back to back" : "one at a time")}, {Database}; redeem call p50 / p99 / max {P(calls, 50)} / {P(calls, 99)} / {P(calls, 100)} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"redeemed in {RedeemingSeconds:0.0} s, everything arrived after {AllArrivedSeconds:0.0} s; portal CPU {PortalCpuPercent:0} % of one core"));
        if (Warmup is { } w)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up (first redemption after the start, not counted): call {w.RedeemMs:0} ms; webhook / Teams / email {w.WebhookMs:0} / {w.TeamsMs:0} / {w.EmailMs:0} ms after the answer"));
        }

        output.WriteLine("redeem answer -> arrival, ms:");
        output.WriteLine($"{"channel",-10} {"arrived",9} {"p50",8} {"p90",8} {"p99",8} {"max",8} {"<= 1 s",7} {"before answer",13} {"invalid",7} {"missing",7} {"dup",4}");
        foreach (var c in new[] { Webhook, Teams, Email, AllThree })
        {
            var sorted = c.LatencyMs.Order().ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Channel,-10} {$"{c.LatencyMs.Count}/{c.Expected}",9} {P(sorted, 50),8} {P(sorted, 90),8} {P(sorted, 99),8} {P(sorted, 100),8} {c.WithinOneSecond,7:P0} {c.BeforeAnswer,13} {c.Invalid,7} {c.Missing,7} {c.Duplicates,4}"));
        }

        foreach (var c in new[] { Webhook, Teams, Email }.Where(c => c.InvalidReasons.Count > 0 || c.Unmatched > 0))
        {
            output.WriteLine($"{c.Channel}: {c.Unmatched} unmatched; {string.Join("; ", c.InvalidReasons)}");
        }

        if (RedeemErrors.Count > 0)
        {
            output.WriteLine("redeem errors: " + string.Join("; ", RedeemErrors.Select(e => $"{e.Key}: {e.Value}")));
        }

        output.WriteLine($"the link without a session: {LinkWithoutSignIn}");
        output.WriteLine($"load average start / end: {Machine.LoadAverageAtStart} / {Machine.LoadAverageAtEnd}");
    }

    private static string P(double[] sorted, double p) => RedemptionFigures.Percentile(sorted, p).ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>The first redemption after the start: its call, and its arrivals in milliseconds after its answer.</summary>
internal sealed record WarmupFigures(Guid RequestId, double RedeemMs, double WebhookMs, double TeamsMs, double EmailMs);
