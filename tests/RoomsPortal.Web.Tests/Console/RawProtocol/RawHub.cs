using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace RoomsPortal.Web.Tests.Console.RawProtocol;

/// <summary>
/// The console hub spoken from docs/console-protocol.md section 5 alone: negotiate over HTTP, a plain WebSocket,
/// the JSON handshake, messages ended by the record separator 0x1E. No SignalR library.
/// </summary>
internal sealed class RawHub : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly StringBuilder _partial = new();
    private readonly Queue<JsonElement> _unread = new();
    private readonly List<JsonElement> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _keepAlive = Task.CompletedTask;
    private int _nextInvocation;

    private RawHub()
    {
    }

    /// <summary>True once the portal closed the WebSocket.</summary>
    public bool SocketClosed { get; private set; }

    // negotiate: false connects the WebSocket straight away, as section 5 allows (no connection token).
    public static async Task<RawHub> ConnectAsync(Uri portal, string deviceToken, CancellationToken ct, bool negotiate = true)
    {
        var query = $"access_token={Uri.EscapeDataString(deviceToken)}";
        if (negotiate)
        {
            query = $"id={Uri.EscapeDataString(await NegotiateAsync(portal, deviceToken, ct))}&" + query;
        }

        // 2. Connect the WebSocket with the credential in the query.
        var hub = new RawHub();
        var address = new UriBuilder(new Uri(portal, "hubs/console"))
        {
            Scheme = portal.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Query = query,
        }.Uri;
        await hub._socket.ConnectAsync(address, ct);

        // 3. Handshake.
        await hub.SendTextAsync("{\"protocol\":\"json\",\"version\":1}", ct);
        var handshake = await hub.ReadMessageAsync(ct) ?? throw new InvalidOperationException("The portal closed the socket during the handshake.");
        Assert.Equal("{}", handshake.GetRawText().Replace(" ", "", StringComparison.Ordinal));
        hub._keepAlive = hub.KeepAliveAsync();
        return hub;
    }

    private static async Task<string> NegotiateAsync(Uri portal, string deviceToken, CancellationToken ct)
    {
        // 1. Negotiate.
        using var http = new HttpClient { BaseAddress = portal };
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, new Uri("hubs/console/negotiate?negotiateVersion=1", UriKind.Relative))
        {
            Content = new ByteArrayContent([]),
        };
        negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", deviceToken);
        using var answer = await http.SendAsync(negotiate, ct);
        answer.EnsureSuccessStatusCode();
        using var negotiated = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(ct));
        var connectionToken = negotiated.RootElement.GetProperty("connectionToken").GetString()!;
        Assert.Equal(1, negotiated.RootElement.GetProperty("negotiateVersion").GetInt32());
        Assert.Contains(
            negotiated.RootElement.GetProperty("availableTransports").EnumerateArray(),
            t => t.GetProperty("transport").GetString() == "WebSockets");
        return connectionToken;
    }

    /// <summary>Invokes a hub method and returns its completion (type 3), holding back any other message that arrives first.</summary>
    public async Task<JsonElement> InvokeAsync(string target, object argument, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextInvocation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendTextAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments = new[] { argument } }), ct);
        while (true)
        {
            var message = await ReadMessageAsync(ct) ?? throw new InvalidOperationException($"The socket closed before the completion of {target}.");
            if (message.GetProperty("type").GetInt32() == 3 && message.GetProperty("invocationId").GetString() == id)
            {
                return message;
            }

            _held.Add(message);
        }
    }

    /// <summary>Sends a hub call without an invocation id: the portal answers nothing, as for the SDK's <c>SendAsync</c>.</summary>
    public Task SendAsync(string target, object argument, CancellationToken ct) =>
        SendTextAsync(JsonSerializer.Serialize(new { type = 1, target, arguments = new[] { argument } }), ct);

    /// <summary>The next message (held back or new) that is not a ping and matches; null when the socket closed first.</summary>
    public async Task<JsonElement?> NextAsync(Func<JsonElement, bool> match, CancellationToken ct)
    {
        var held = _held.FindIndex(m => match(m));
        if (held >= 0)
        {
            var found = _held[held];
            _held.RemoveAt(held);
            return found;
        }

        while (await ReadMessageAsync(ct) is { } message)
        {
            if (message.GetProperty("type").GetInt32() != 6 && match(message))
            {
                return message;
            }

            _held.Add(message);
        }

        return null;
    }

    /// <summary>An invocation the portal sent (type 1) to <paramref name="target"/>.</summary>
    public static bool IsInvocationOf(JsonElement message, string target) =>
        message.GetProperty("type").GetInt32() == 1 && message.GetProperty("target").GetString() == target;

    /// <summary>Closes the WebSocket as a console going offline would.</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _keepAlive;
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "console offline", ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _keepAlive;
        _socket.Abort();
        _socket.Dispose();
        _sending.Dispose();
        _stop.Dispose();
    }

    private async Task SendTextAsync(string json, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(json + RecordSeparator);
        await _sending.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next message from the portal: frames are read until a record separator ends one.</summary>
    private async Task<JsonElement?> ReadMessageAsync(CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (_unread.Count == 0)
        {
            if (SocketClosed)
            {
                return null;
            }

            var result = await _socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                SocketClosed = true;
                return null;
            }

            _partial.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            var text = _partial.ToString();
            var end = text.LastIndexOf(RecordSeparator);
            if (end < 0)
            {
                continue;
            }

            foreach (var record in text[..end].Split(RecordSeparator))
            {
                using var document = JsonDocument.Parse(record);
                _unread.Enqueue(document.RootElement.Clone());
            }

            _partial.Clear().Append(text[(end + 1)..]);
        }

        return _unread.Dequeue();
    }

    /// <summary>The portal closes a connection it has not heard from for 30 seconds: ping every 10.</summary>
    private async Task KeepAliveAsync()
    {
        using var timer = new PeriodicTimer(PingEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (_socket.State != WebSocketState.Open)
                {
                    return;
                }

                await SendTextAsync("{\"type\":6}", _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Closing.
        }
        catch (WebSocketException)
        {
            // The portal closed the socket; the reader sees it.
        }
    }
}
