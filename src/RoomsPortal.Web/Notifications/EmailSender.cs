using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Notifications;

/// <summary>
/// One message per event (plain text and HTML) to the people whose role and room groups cover it: Rooms Pro Managers,
/// and Site Leads assigned to the room group (Helpdesk too for verification failures, lockouts and expiring codes, which
/// they work on). Each person gets their own message (their address alone in To), all sent over one SMTP session; a
/// failure part-way retries the whole event, so someone may get it twice, never not at all.
/// </summary>
public sealed class EmailSender(NotificationRecipients recipients, IOptions<SmtpOptions> smtp, IOptions<NotificationOptions> options) : INotificationSender
{
    /// <summary>The roles that get every event, whatever its room group.</summary>
    public static IReadOnlyList<string> UnscopedRoles { get; } = [PortalRoles.RoomsProManager];

    public NotificationChannelKind Kind => NotificationChannelKind.Email;

    /// <summary>The roles that get an event of <paramref name="eventType"/> in their assigned room groups (none for a test).</summary>
    public static IReadOnlyList<string> ScopedRoles(string eventType) => eventType switch
    {
        NotificationEventTypes.Test => [],
        NotificationEventTypes.RequestPending or NotificationEventTypes.RequestDecided or NotificationEventTypes.RequestExpired => [PortalRoles.SiteLead],
        _ => [PortalRoles.SiteLead, PortalRoles.Helpdesk],
    };

    /// <summary>The scoped roles a channel subscribed to <paramref name="eventTypes"/> reaches.</summary>
    public static IReadOnlyList<string> ChannelScopedRoles(IEnumerable<string> eventTypes) => [.. eventTypes.SelectMany(t => ScopedRoles(t)).Distinct()];

    public async Task<SendOutcome> SendAsync(DispatchItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        var settings = smtp.Value;
        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            return SendOutcome.Failed(null, $"No mail server: set {SmtpOptions.Section}:Host");
        }

        var to = await recipients.ListAsync(item.RoomGroupId, UnscopedRoles, ScopedRoles(item.EventType), ct);
        if (to.Count == 0)
        {
            // Nobody to tell is not a failure to retry: the log says so.
            return SendOutcome.Ok(null);
        }

        var link = NotificationLinks.For(item, options.Value);
        var from = MailboxAddress.Parse(settings.From!);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(settings.SendTimeout);
        using var client = new SmtpClient { Timeout = (int)settings.SendTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, settings.Security switch
            {
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            }, deadline.Token);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? string.Empty, deadline.Token);
            }

            var refused = 0;
            foreach (var recipient in to)
            {
                using var message = Message(item, link, from, recipient);
                try
                {
                    await client.SendAsync(message, deadline.Token);
                }
                catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted)
                {
                    // One stale mailbox must not fail the event: a retry would mail everyone else again.
                    refused++;
                }
            }

            await client.DisconnectAsync(quit: true, deadline.Token);
            return refused == to.Count
                ? SendOutcome.Failed(550, "The mail server refused every recipient; check their email addresses")
                : SendOutcome.Ok(250);
        }
        catch (SmtpCommandException ex)
        {
            return SendOutcome.Failed((int)ex.StatusCode, $"The mail server refused: {(int)ex.StatusCode} {ex.ErrorCode}");
        }
        catch (AuthenticationException)
        {
            return SendOutcome.Failed(null, $"The mail server refused the sign-in of {SmtpOptions.Section}:UserName");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return SendOutcome.Failed(null, $"Not sent within {settings.SendTimeout.TotalSeconds:0} s ({SmtpOptions.Section}:SendTimeout)");
        }
        catch (Exception ex) when (ex is SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException or SslHandshakeException)
        {
            return SendOutcome.Failed(null, $"Mail server {settings.Host}:{settings.Port}: {ex.GetType().Name}");
        }
    }

    public static MimeMessage Message(DispatchItem item, Uri? link, MailboxAddress from, NotificationRecipient to)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(to);
        var data = JsonNode.Parse(item.Payload)!.AsObject();
        var (title, facts) = NotificationText.Describe(item.EventType, data);
        var shown = facts.Where(f => !string.IsNullOrEmpty(f.Value)).ToList();
        var text = new StringBuilder().AppendLine(title).AppendLine();
        var html = new StringBuilder().Append("<h2>").Append(WebUtility.HtmlEncode(title)).Append("</h2><table>");
        foreach (var (name, value) in shown)
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
        var message = new MimeMessage { Subject = "RoomsPortal: " + title };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(to.Name, to.Email));
        message.Headers.Add("RoomsPortal-Event-Id", item.EventId.ToString("D"));
        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }
}
