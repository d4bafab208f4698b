using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MimeKit;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Notifications;

/// <summary>The email a person gets: one event, or a digest of several, each as plain text and HTML with its link.</summary>
public static class EmailMessages
{
    /// <summary>One event's message.</summary>
    public static MimeMessage Message(DispatchItem item, Uri? link, MailboxAddress from, NotificationRecipient to)
    {
        ArgumentNullException.ThrowIfNull(item);
        var text = new StringBuilder();
        var html = new StringBuilder();
        var title = AppendEvent(text, html, item, link, "h2");
        var message = New("RoomsPortal: " + title, from, to, text, html);
        message.Headers.Add("RoomsPortal-Event-Id", item.EventId.ToString("D"));
        return message;
    }

    /// <summary>A digest: the events that cover <paramref name="to"/>, oldest first, under the subject <c>RoomsPortal: N events (digest)</c>.</summary>
    public static MimeMessage Digest(IReadOnlyList<DispatchItem> items, NotificationOptions options, MailboxAddress from, NotificationRecipient to)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        var count = items.Count.ToString(CultureInfo.InvariantCulture);
        var intro = $"{count} {(items.Count == 1 ? "event" : "events")} from RoomsPortal, oldest first.";
        var text = new StringBuilder().AppendLine(intro).AppendLine();
        var html = new StringBuilder().Append("<p>").Append(WebUtility.HtmlEncode(intro)).Append("</p>");
        foreach (var item in items)
        {
            text.AppendLine("----");
            html.Append("<hr/>");
            AppendEvent(text, html, item, NotificationLinks.For(item, options), "h3");
        }

        return New($"RoomsPortal: {count} {(items.Count == 1 ? "event" : "events")} (digest)", from, to, text, html);
    }

    // Appends an event's title, facts, link and id; returns the title.
    private static string AppendEvent(StringBuilder text, StringBuilder html, DispatchItem item, Uri? link, string heading)
    {
        var data = JsonNode.Parse(item.Payload)!.AsObject();
        var (title, facts) = NotificationText.Describe(item.EventType, data);
        text.AppendLine(title).AppendLine();
        html.Append('<').Append(heading).Append('>').Append(WebUtility.HtmlEncode(title)).Append("</").Append(heading).Append("><table>");
        foreach (var (name, value) in facts.Where(f => !string.IsNullOrEmpty(f.Value)))
        {
            text.Append(name).Append(": ").AppendLine(value);
            html.Append("<tr><th align=\"left\">").Append(WebUtility.HtmlEncode(name)).Append("</th><td>").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");
        }

        html.Append("</table>");
        if (link is not null)
        {
            var action = item.EventType == NotificationEventTypes.RequestPending ? "Approve or reject in RoomsPortal" : "Open in RoomsPortal";
            text.AppendLine().Append(action).Append(": ").AppendLine(link.AbsoluteUri);
            html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(link.AbsoluteUri)).Append("\">").Append(action).Append("</a></p>");
        }

        text.AppendLine().Append("Event ").Append(item.EventId).Append(" (").Append(item.EventType).AppendLine(").");
        return title;
    }

    private static MimeMessage New(string subject, MailboxAddress from, NotificationRecipient to, StringBuilder text, StringBuilder html)
    {
        ArgumentNullException.ThrowIfNull(to);
        var message = new MimeMessage { Subject = subject };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(to.Name, to.Email));
        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }
}
