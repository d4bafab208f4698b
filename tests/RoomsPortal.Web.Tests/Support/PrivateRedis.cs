using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RoomsPortal.Web.Tests.Support;

/// <summary>
/// A redis-server process of the test's own, on a free loopback port, so the test may stop it under a running node
/// without touching the Redis other tests share. The binary comes from PATH (scripts/test.sh installs it).
/// </summary>
public sealed class PrivateRedis : IAsyncDisposable
{
    private readonly Process _process;

    private PrivateRedis(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<PrivateRedis> StartAsync(CancellationToken ct)
    {
        var binary = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. Install it with 'apt-get install -y redis-server' (scripts/test.sh does this).");
        var port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{binary} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new PrivateRedis(process, port);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (!await redis.AcceptsConnectionsAsync(timeout.Token))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited with {process.ExitCode} before accepting connections on port {port}.");
                }

                await poll.WaitForNextTickAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await redis.DisposeAsync();
            throw new InvalidOperationException($"redis-server did not accept connections on port {port} within 20 s.");
        }

        return redis;
    }

    /// <summary>Ends the server as a crash would, and waits until it is gone.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _process.Dispose();
    }

    private async Task<bool> AcceptsConnectionsAsync(CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
