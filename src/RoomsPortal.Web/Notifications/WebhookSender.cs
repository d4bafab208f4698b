using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Notifications;

/// <summary>
/// A signed JSON POST (docs/notifications.md): <c>RoomsPortal-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of
/// "t.body" keyed with the secret's UTF-8 bytes&gt;</c>, as Stripe signs; receivers refuse a timestamp older than five
/// minutes, so a captured request cannot be replayed later.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<NotificationOptions> options, TimeProvider time) : INotificationSender
{
    public const string SignatureHeader = "RoomsPortal-Signature";
    public const string EventIdHeader = "RoomsPortal-Event-Id";
    public const string EventTypeHeader = "RoomsPortal-Event-Type";
    public const int Version = 1;

    public NotificationChannelKind Kind => NotificationChannelKind.Webhook;

    public async Task<SendOutcome> SendAsync(DispatchItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        var body = Body(item, NotificationLinks.For(item, options.Value));
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(item.Target!)) { Content = content };
        request.Headers.Add(SignatureHeader, Sign(item.Secret!, timestamp, body));
        request.Headers.Add(EventIdHeader, item.EventId.ToString("D"));
        request.Headers.Add(EventTypeHeader, item.EventType);
        return await NotificationHttp.SendAsync(clients.CreateClient(NotificationHttp.ClientName), request, ct);
    }

    /// <summary>The event as receivers get it: <c>type</c>, <c>id</c>, <c>occurredAt</c>, <c>version</c>, <c>data</c>, <c>link</c>.</summary>
    public static string Body(DispatchItem item, Uri? link)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", item.EventType);
            json.WriteString("id", item.EventId);
            json.WriteString("occurredAt", item.OccurredAt.ToUniversalTime());
            json.WriteNumber("version", Version);
            json.WritePropertyName("data");
            json.WriteRawValue(item.Payload);
            if (link is null)
            {
                json.WriteNull("link");
            }
            else
            {
                json.WriteString("link", link.AbsoluteUri);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The header value for <paramref name="body"/> sent at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Sign(string secret, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}
