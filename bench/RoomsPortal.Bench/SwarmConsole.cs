using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.Bench;

internal enum ConsoleMode
{
    /// <summary>Waits on the console hub (the SDK's WaitForDecisionAsync).</summary>
    Push,

    /// <summary>Asks for the status every poll interval, as an RFC 8628 device does.</summary>
    Poll,

    /// <summary>Redemption-rate pass: auto approval answers at once.</summary>
    Redeem,
}

/// <summary>One console of the swarm and what happened to it. Written by its own task only, read after it ended.</summary>
internal sealed class SwarmConsole(int index, ConsoleMode mode, string code)
{
    public int Index { get; } = index;

    public ConsoleMode Mode { get; } = mode;

    public string Code { get; } = code;

    public Guid RequestId { get; set; }

    public double RedeemMs { get; set; } = double.NaN;

    /// <summary>Monotonic time the console learned its request was decided (hub push or poll answer); 0 when it never did.</summary>
    public long DecidedAt { get; set; }

    /// <summary>Monotonic time the approval committed in the portal; 0 when not approved.</summary>
    public long CommittedAt { get; set; }

    public SetupStatus? FinalStatus { get; set; }

    public int Polls { get; set; }

    /// <summary>Reconnects and credential ends seen before the decision arrived.</summary>
    public int Drops { get; set; }

    public string? Error { get; set; }

    /// <summary>How long a hub-waiting console keeps its idle HTTP connection.</summary>
    public static readonly TimeSpan WaitingHttpIdle = TimeSpan.FromSeconds(2);

    public bool IsWaiting => Error is null && RequestId != Guid.Empty && FinalStatus is null;

    public double LatencyMs => DecidedAt == 0 || CommittedAt == 0 ? double.NaN : (DecidedAt - CommittedAt) * 1000.0 / Stopwatch.Frequency;

    /// <summary>
    /// 127.a.b.c for console <paramref name="index"/>, each console its own source address (127.0.0.1 is left to
    /// everything else): per-address limits then see a building of consoles, not one host.
    /// </summary>
    public static IPAddress AddressOf(int index) =>
        new([127, (byte)(index / (254 * 254) + 1), (byte)(index / 254 % 254 + 1), (byte)(index % 254 + 1)]);

    public static ConsoleDevice DeviceOf(ECDsa manufacturerKey, int index)
    {
        var serial = $"BENCH-{index:D6}";
        return new ConsoleDevice(Swarm.Make, Swarm.Model, serial, "1.0.0", DeviceStatementSigner.Sign(manufacturerKey, Swarm.Make, Swarm.Model, serial));
    }

    /// <summary>
    /// An HttpClient whose connections leave from <paramref name="local"/>. The SDK's hub connection makes its own (from
    /// 127.0.0.1). A console that waits on the hub makes no HTTP call while it waits, so its idle HTTP connection is let
    /// go after <see cref="WaitingHttpIdle"/> (a device's HTTP stack would let it go after a minute, SocketsHttpHandler's
    /// default): a waiting console then holds one socket, its WebSocket, as a real one does once settled.
    /// </summary>
    public static HttpClient HttpClientFrom(IPAddress local, Uri portal, bool waitsOnHub = false)
    {
        var server = IPAddress.Parse(portal.Host);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = waitsOnHub ? WaitingHttpIdle : TimeSpan.FromMinutes(1),
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(new IPEndPoint(server, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = portal, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>What a failure counts as in the error table: the stage, then the status and code, or the kind of failure.</summary>
    public static string Describe(string stage, Exception ex, bool phaseTimedOut) => stage + " " + ex switch
    {
        _ when IsOpenFileLimit(ex) => "open-file limit of the bench process",
        ConsoleApiException api => $"{(int)api.Status} {api.Code}",
        HttpRequestException { StatusCode: { } status } => $"{(int)status}",
        OperationCanceledException when phaseTimedOut => "no answer before the phase timeout",
        HttpRequestException http => "connection: " + (http.HttpRequestError.ToString()),
        _ => ex.GetType().Name,
    };

    /// <summary>EMFILE anywhere in the chain: this process, not the portal, ran out of file descriptors.</summary>
    public static bool IsOpenFileLimit(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.TooManyOpenSockets }
                || ex.Message.Contains("Too many open files", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
