using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RoomsPortal.Testing;

/// <summary>One request a <see cref="WebhookReceiver"/> got, and what it answered.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Answered, DateTimeOffset At)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : string.Empty;

    /// <summary>Checks <c>RoomsPortal-Signature</c> as docs/notifications.md tells receivers to: HMAC of "t.body", timestamp within 5 minutes.</summary>
    public bool SignatureIsValid(string secret, DateTimeOffset now)
    {
        var parts = Header("RoomsPortal-Signature").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        if (Math.Abs((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).TotalMinutes) > 5)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + Body));
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1));
    }
}

/// <summary>
/// An HTTP receiver on a loopback port for notification tests: records every request and answers what
/// <see cref="Answer"/> says (200 unless set). Waiting is on a condition over what arrived, never a fixed sleep.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly object _gate = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reached;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The receiver's base address (http://127.0.0.1:port/).</summary>
    public Uri Address { get; private set; } = default!;

    /// <summary>Chooses the status code from the number of requests received before this one (0 for the first).</summary>
    public Func<int, int> Answer { get; set; } = _ => 200;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>
    /// Runs before a request is answered, with the number of requests that reached it before this one (0 for the
    /// first): a test holds an answer there, as a slow receiver would. Answers nothing by itself.
    /// </summary>
    public Func<int, Task> BeforeAnswer { get; set; } = _ => Task.CompletedTask;

    public static async Task<WebhookReceiver> StartAsync(CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return receiver;
    }

    /// <summary>Waits until what arrived satisfies <paramref name="condition"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        while (true)
        {
            Task next;
            lock (_gate)
            {
                next = _arrived.Task;
            }

            var now = Received;
            if (condition(now))
            {
                return now;
            }

            try
            {
                await next.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"The receiver did not get what the test waited for within {timeout}; it got {now.Count} requests: "
                    + string.Join(" | ", now.Select(r => $"{r.Answered} {r.Body}")));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var reached = Interlocked.Increment(ref _reached) - 1;
        await BeforeAnswer(reached);
        int status;
        lock (_gate)
        {
            status = Answer(_received.Count);
        }

        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        context.Response.StatusCode = status;
        await context.Response.CompleteAsync();
        lock (_gate)
        {
            _received.Enqueue(new ReceivedWebhook(context.Request.Path, headers, body, status, DateTimeOffset.UtcNow));
            var arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.TrySetResult();
        }
    }
}
