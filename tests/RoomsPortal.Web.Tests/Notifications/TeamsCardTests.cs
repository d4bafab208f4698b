using System.Text.Json;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using RoomsPortal.Web.Notifications;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>The Teams message: an Adaptive Card of the version it declares, using only what that version has.</summary>
public sealed class TeamsCardTests
{
    /// <summary>Adaptive Cards 1.4: the element and action types this portal may use, each with the properties 1.4 defines for it.</summary>
    private static readonly Dictionary<string, HashSet<string>> Schema14 = new(StringComparer.Ordinal)
    {
        ["AdaptiveCard"] = ["$schema", "type", "version", "body", "actions", "fallbackText", "speak", "lang", "minHeight", "verticalContentAlignment", "selectAction", "backgroundImage", "msteams"],
        ["TextBlock"] = ["type", "text", "color", "fontType", "horizontalAlignment", "isSubtle", "maxLines", "size", "weight", "wrap", "spacing", "separator", "id", "isVisible", "height", "style"],
        ["FactSet"] = ["type", "facts", "spacing", "separator", "id", "isVisible", "height"],
        ["Fact"] = ["title", "value"],
        ["Action.OpenUrl"] = ["type", "title", "url", "iconUrl", "style", "id", "tooltip", "isEnabled"],
    };

    private static DispatchItem Item(string type, object data, Guid? requestId) => new(
        1, Guid.NewGuid(), NotificationChannelKind.Teams, "Teams", "https://example.webhook.office.com/x", null, 7, Guid.NewGuid(), type,
        new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.Zero), null, requestId, JsonSerializer.Serialize(data, JsonSerializerOptions.Web), 0);

    [Fact]
    public void A_pending_request_is_a_1_4_card_with_facts_and_Approve_Reject_links_and_escaped_names()
    {
        var requestId = Guid.NewGuid();
        var link = new Uri($"{PortalUrl}approvals/{requestId:D}");
        var message = TeamsSender.Message(
            Item(NotificationEventTypes.RequestPending, new { serial = "SN-1", accountName = "Room [click](https://evil.example) *now*", upn = "room@contoso.com", make = "Contoso", model = "RC 10", status = "Pending" }, requestId),
            link);

        var root = JsonDocument.Parse(message).RootElement;
        Assert.Equal("message", root.GetProperty("type").GetString());
        var attachment = Assert.Single(root.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("1.4", card.GetProperty("version").GetString());
        AssertUsesOnlySchema14(card);
        var actions = card.GetProperty("actions").EnumerateArray().Select(a => (a.GetProperty("title").GetString(), a.GetProperty("url").GetString())).ToList();
        Assert.Equal([("Approve", link.AbsoluteUri), ("Reject", link.AbsoluteUri)], actions);
        Assert.Contains(@"Room \[click\]\(https://evil.example\) \*now\*", message.Replace(@"\\", @"\", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("room@contoso.com", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redemption_reaches_a_Teams_channel_as_a_card()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        await using var portal = new PortalFactory().Notifying();
        await portal.Services.AddChannelAsync(NotificationChannelKind.Teams, new Uri(receiver.Address, "workflows/abc?sig=s1"), "Teams", NotificationEventTypes.RequestPending);
        await new PortalProvisioning(portal.Services).SetPreferencesAsync(autoApproval: false, ct: Ct);

        var requestId = await portal.Services.RedeemAsync("room-t@contoso.com", "SN-TEAMS-1");
        var received = await receiver.WaitForAsync(r => r.Count >= 1, Patience, Ct);

        var card = JsonDocument.Parse(received[0].Body).RootElement.GetProperty("attachments")[0].GetProperty("content");
        Assert.Equal("1.4", card.GetProperty("version").GetString());
        AssertUsesOnlySchema14(card);
        Assert.Equal($"{PortalUrl}approvals/{requestId:D}", card.GetProperty("actions")[0].GetProperty("url").GetString());
        Assert.Contains("SN\\-TEAMS\\-1", received[0].Body.Replace(@"\\", @"\", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Empty(received[0].Header("RoomsPortal-Signature"));
    }

    private static void AssertUsesOnlySchema14(JsonElement card)
    {
        AssertKnown("AdaptiveCard", card);
        foreach (var element in card.GetProperty("body").EnumerateArray())
        {
            var type = element.GetProperty("type").GetString()!;
            AssertKnown(type, element);
            if (type == "FactSet")
            {
                foreach (var fact in element.GetProperty("facts").EnumerateArray())
                {
                    AssertKnown("Fact", fact);
                }
            }
        }

        foreach (var action in card.GetProperty("actions").EnumerateArray())
        {
            AssertKnown(action.GetProperty("type").GetString()!, action);
        }
    }

    private static void AssertKnown(string type, JsonElement element)
    {
        Assert.True(Schema14.TryGetValue(type, out var allowed), $"{type} is not an Adaptive Card 1.4 element or action this portal may use");
        foreach (var property in element.EnumerateObject())
        {
            Assert.True(allowed.Contains(property.Name), $"{type}.{property.Name} is not in Adaptive Cards 1.4");
        }
    }
}
