using System.Diagnostics;
using System.Net.Sockets;
using Polly.Timeout;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Notifications;

/// <summary>What one attempt came to: delivered, or the receiver's answer or the failure, without secrets.</summary>
public sealed record SendOutcome(bool Delivered, int? ResponseCode, string? Error)
{
    public static SendOutcome Ok(int? code) => new(true, code, null);

    public static SendOutcome Failed(int? code, string error) => new(false, code, error);
}

/// <summary>Sends one event to one channel of its kind.</summary>
public interface INotificationSender
{
    NotificationChannelKind Kind { get; }

    Task<SendOutcome> SendAsync(DispatchItem item, CancellationToken ct);
}

/// <summary>Sends a digest (several events of one channel) as one message per person: email channels.</summary>
public interface INotificationDigestSender
{
    Task<SendOutcome> SendDigestAsync(DispatchDigest digest, CancellationToken ct);
}

/// <summary>The HTTP side shared by webhooks and Teams: one POST through the notifications client, its answer as an outcome.</summary>
public static class NotificationHttp
{
    /// <summary>The named client: SSRF-checked connections, no redirects, a per-attempt timeout (NotificationHttpSetup).</summary>
    public const string ClientName = "notifications";

    public static async Task<SendOutcome> PostAsync(HttpClient client, string url, HttpContent content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(url);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url)) { Content = content };
        return await SendAsync(client, request, ct);
    }

    public static async Task<SendOutcome> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? SendOutcome.Ok(code)
                : SendOutcome.Failed(code, $"The receiver answered {code} {response.ReasonPhrase}".Trim());
        }
        catch (TimeoutRejectedException)
        {
            return SendOutcome.Failed(null, $"No answer within {Stopwatch.GetElapsedTime(started).TotalSeconds:0.#} s (timeout)");
        }
        catch (HttpRequestException ex)
        {
            // The message names the host and port at most (never the URL's query, which may be a credential).
            return SendOutcome.Failed(null, ex.InnerException is SocketException socket ? $"Could not connect: {socket.SocketErrorCode}" : ex.Message);
        }
    }
}
