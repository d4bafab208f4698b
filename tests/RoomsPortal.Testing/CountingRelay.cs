using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace RoomsPortal.Testing;

/// <summary>
/// A TCP relay on a loopback port in front of another loopback port (an in-test SMTP server): counts the connections
/// clients open and can cut every open one, as a server closing idle sessions would.
/// </summary>
public sealed class CountingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly Task _accepting;
    private int _connections;

    public CountingRelay(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect.</summary>
    public int Port { get; }

    /// <summary>How many connections clients have opened so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Closes every open connection (both sides); new ones are still relayed.</summary>
    public void CutAll()
    {
        foreach (var client in _open.Keys)
        {
            if (_open.TryRemove(client, out _))
            {
                client.Client.Close(0);
                client.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), ended.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), ended.Token);
            await Task.WhenAny(up, down);
            await ended.CancelAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Either side went away, or CutAll closed them.
        }
        finally
        {
            foreach (var side in new[] { client, server })
            {
                _open.TryRemove(side, out _);
                side.Dispose();
            }
        }
    }
}
