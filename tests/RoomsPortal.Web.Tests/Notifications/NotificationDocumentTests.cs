using System.Text.Json;
using System.Text.RegularExpressions;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using RoomsPortal.Web.Tests.Support;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>
/// docs/notifications.md is the receivers' contract: its event types, the example webhook's fields and its headers are
/// held to what the portal sends.
/// </summary>
public sealed partial class NotificationDocumentTests
{
    private static readonly string Document = File.ReadAllText(RepositoryFiles.PathOf("docs", "notifications.md"));

    [Fact]
    public void The_event_table_lists_exactly_the_event_types_the_portal_writes()
    {
        var section = Section("## Events");
        var documented = TableCode().Matches(section).Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Equal(NotificationEventTypes.Subscribable.Append(NotificationEventTypes.Test).Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_delivered_webhook_has_the_fields_and_headers_of_the_documented_example()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        await using var portal = new PortalFactory().Notifying();
        await portal.Services.AddChannelAsync(NotificationChannelKind.Webhook, new Uri(receiver.Address, "hooks/doc"));
        await new PortalProvisioning(portal.Services).SetPreferencesAsync(autoApproval: false, ct: Ct);
        await portal.Services.RedeemAsync("room-doc@contoso.com", "SN-DOC-1");

        var webhook = (await receiver.WaitForAsync(r => r.Any(x => x.Answered == 200), Patience, Ct)).First(x => x.Answered == 200);

        var webhooks = Section("## Webhooks");
        using var example = JsonDocument.Parse(JsonBlock().Match(webhooks).Groups[1].Value);
        using var sent = JsonDocument.Parse(webhook.Body);
        Assert.Equal(Names(example.RootElement), Names(sent.RootElement));
        Assert.Equal(Names(example.RootElement.GetProperty("data")), Names(sent.RootElement.GetProperty("data")));
        var headers = TableCode().Matches(webhooks).Select(m => m.Groups[1].Value).Where(h => h.StartsWith("RoomsPortal-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(headers);
        Assert.All(headers, h => Assert.NotEqual(string.Empty, webhook.Header(h)));
    }

    private static string Section(string heading)
    {
        var start = Document.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/notifications.md has no section '{heading}'");
        var end = Document.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? Document[start..] : Document[start..end];
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    /// <summary>The code in a table row's first cell: <c>| `request.pending` | ...</c>.</summary>
    [GeneratedRegex(@"^\| `([^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableCode();

    [GeneratedRegex(@"```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
