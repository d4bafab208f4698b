using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Notifications;

/// <summary>
/// The event as an Adaptive Card 1.4 in the envelope Teams incoming webhooks and Workflows take
/// (<c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":card}]}</c>).
/// Approve and Reject are <c>Action.OpenUrl</c> buttons to the request's page: nothing is decided from the chat, the
/// admin signs in to the portal first. Text that people or consoles supplied is markdown-escaped.
/// </summary>
public sealed class TeamsSender(IHttpClientFactory clients, IOptions<NotificationOptions> options) : INotificationSender
{
    public const string CardVersion = "1.4";

    public NotificationChannelKind Kind => NotificationChannelKind.Teams;

    public async Task<SendOutcome> SendAsync(DispatchItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        var message = Message(item, NotificationLinks.For(item, options.Value));
        using var content = new StringContent(message, Encoding.UTF8, "application/json");
        return await NotificationHttp.PostAsync(clients.CreateClient(NotificationHttp.ClientName), item.Target!, content, ct);
    }

    public static string Message(DispatchItem item, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(item);
        var data = JsonNode.Parse(item.Payload)!.AsObject();
        var (title, facts) = NotificationText.Describe(item.EventType, data);
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = Escape(title), ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
            new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = Escape($"{NotificationEventTypes.DisplayName(item.EventType)} at {item.OccurredAt.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"),
                ["isSubtle"] = true,
                ["spacing"] = "None",
                ["wrap"] = true,
            },
            new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray([.. facts.Where(f => !string.IsNullOrEmpty(f.Value))
                    .Select(f => (JsonNode)new JsonObject { ["title"] = Escape(f.Title), ["value"] = Escape(f.Value!) })]),
            },
        };
        var actions = new JsonArray();
        if (link is not null)
        {
            if (item.EventType == NotificationEventTypes.RequestPending)
            {
                actions.Add(OpenUrl("Approve", link));
                actions.Add(OpenUrl("Reject", link));
            }
            else
            {
                actions.Add(OpenUrl("Open in RoomsPortal", link));
            }
        }

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = CardVersion,
            ["body"] = body,
            ["actions"] = actions,
        };
        var envelope = new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
        return envelope.ToJsonString();
    }

    /// <summary>Backslash-escapes the markdown Teams renders in TextBlocks and facts, so a name cannot become a link or a heading.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '[' or ']' or '(' or ')' or '`' or '~' or '#' or '>' or '|' or '-' or '+' or '!' or '<')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static JsonObject OpenUrl(string title, Uri link) =>
        new() { ["type"] = "Action.OpenUrl", ["title"] = title, ["url"] = link.AbsoluteUri };
}
