using System.Net.Sockets;
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
/// they work on). Each person gets their own message (their address alone in To), all sent over one SMTP session, kept
/// for the next event (<see cref="SmtpSessions"/>); a kept session that fails before its first message is replaced by a
/// new one at once. A failure part-way retries the whole event, so someone may get it twice, never not at all. A digest channel's events
/// go as one message per person (<see cref="SendDigestAsync"/>).
/// </summary>
public sealed class EmailSender(NotificationRecipients recipients, SmtpSessions sessions, IOptions<SmtpOptions> smtp, IOptions<NotificationOptions> options) : INotificationSender, INotificationDigestSender
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
        if (NoMailServer() is { } failed)
        {
            return failed;
        }

        var to = await recipients.ListAsync(item.RoomGroupId, UnscopedRoles, ScopedRoles(item.EventType), ct);
        var link = NotificationLinks.For(item, options.Value);
        return await SendEachAsync(to, (from, recipient) => EmailMessages.Message(item, link, from, recipient), ct);
    }

    /// <summary>
    /// One message per person for a digest: each event goes to the people its own room group and type reach (as a
    /// single event would), so a person's digest holds only the events that cover them.
    /// </summary>
    public async Task<SendOutcome> SendDigestAsync(DispatchDigest digest, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (NoMailServer() is { } failed)
        {
            return failed;
        }

        var people = new Dictionary<string, (NotificationRecipient Person, List<DispatchItem> Items)>(StringComparer.OrdinalIgnoreCase);
        var reached = new Dictionary<(Guid?, string), IReadOnlyList<NotificationRecipient>>();
        foreach (var item in digest.Items)
        {
            var key = (item.RoomGroupId, string.Join(',', ScopedRoles(item.EventType)));
            if (!reached.TryGetValue(key, out var to))
            {
                to = reached[key] = await recipients.ListAsync(item.RoomGroupId, UnscopedRoles, ScopedRoles(item.EventType), ct);
            }

            foreach (var person in to)
            {
                if (!people.TryGetValue(person.Email, out var entry))
                {
                    people[person.Email] = entry = (person, []);
                }

                entry.Items.Add(item);
            }
        }

        return await SendEachAsync([.. people.Values.Select(p => p.Person)],
            (from, recipient) => EmailMessages.Digest(people[recipient.Email].Items, options.Value, from, recipient), ct);
    }

    private SendOutcome? NoMailServer() =>
        string.IsNullOrWhiteSpace(smtp.Value.Host) ? SendOutcome.Failed(null, $"No mail server: set {SmtpOptions.Section}:Host") : null;

    // Each person's own message (their address alone in To), all over one SMTP session.
    private async Task<SendOutcome> SendEachAsync(
        IReadOnlyList<NotificationRecipient> to, Func<MailboxAddress, NotificationRecipient, MimeMessage> compose, CancellationToken ct)
    {
        var settings = smtp.Value;
        if (to.Count == 0)
        {
            // Nobody to tell is not a failure to retry: the log says so.
            return SendOutcome.Ok(null);
        }

        var from = MailboxAddress.Parse(settings.From!);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(settings.SendTimeout);
        try
        {
            for (var reuse = true; ; reuse = false)
            {
                var (client, reused) = await sessions.RentAsync(reuse, deadline.Token);
                var sent = 0;
                try
                {
                    var refused = 0;
                    foreach (var recipient in to)
                    {
                        using var message = compose(from, recipient);
                        try
                        {
                            await client.SendAsync(message, deadline.Token);
                        }
                        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted)
                        {
                            // One stale mailbox must not fail the event: a retry would mail everyone else again.
                            refused++;
                        }

                        sent++;
                    }

                    await sessions.ReturnAsync(client);
                    return refused == to.Count
                        ? SendOutcome.Failed(550, "The mail server refused every recipient; check their email addresses")
                        : SendOutcome.Ok(250);
                }
                catch (Exception ex) when (reused && sent == 0 && IsBrokenSession(ex))
                {
                    // The kept session was closed by the server meanwhile; nothing went over it: a new one, once.
                    SmtpSessions.Discard(client);
                }
                catch
                {
                    SmtpSessions.Discard(client);
                    throw;
                }
            }
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
        catch (Exception ex) when (IsBrokenSession(ex) || ex is SslHandshakeException)
        {
            return SendOutcome.Failed(null, $"Mail server {settings.Host}:{settings.Port}: {ex.GetType().Name}");
        }
    }

    private static bool IsBrokenSession(Exception ex) =>
        ex is SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException;
}
