using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace RoomsPortal.Testing;

/// <summary>
/// A loopback TCP proxy in front of the portal that can cut every open connection, as a flaky meeting-room
/// network would. While <see cref="Refuse"/> is on, new connections are closed at once, so a client cannot
/// reconnect until the test lets it.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly ConcurrentDictionary<Guid, (TcpClient Client, TcpClient Upstream)> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _refusing;

    public DroppingProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect instead of the portal.</summary>
    public Uri Address { get; }

    /// <summary>Closes every open connection.</summary>
    public void DropAll()
    {
        foreach (var (id, pair) in _open)
        {
            if (_open.TryRemove(id, out _))
            {
                pair.Client.Client.Close(0);
                pair.Upstream.Dispose();
            }
        }
    }

    /// <summary>Closes every open connection and refuses new ones until <see cref="Accept"/>.</summary>
    public void Refuse()
    {
        _refusing = true;
        DropAll();
    }

    /// <summary>Forwards new connections again.</summary>
    public void Accept() => _refusing = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (_refusing)
            {
                client.Client.Close(0);
                continue;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        var id = Guid.NewGuid();
        try
        {
            await upstream.ConnectAsync(_target.Host, _target.Port, _stop.Token);
            _open[id] = (client, upstream);
            var down = client.GetStream();
            var up = upstream.GetStream();
            await Task.WhenAny(down.CopyToAsync(up, _stop.Token), up.CopyToAsync(down, _stop.Token));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A dropped connection ends here; that is the point of this proxy.
        }
        finally
        {
            _open.TryRemove(id, out _);
            client.Dispose();
            upstream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        await _accepting;
        _stop.Dispose();
    }
}
