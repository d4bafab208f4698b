using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.ConsoleClient;

/// <summary>
/// The console's live connection: one hub connection per console, opened by the first wait, reused by the next ones,
/// closed when nothing has waited on it for <see cref="IdleConnectionLifetime"/> or when the client is disposed.
/// </summary>
public sealed partial class ConsoleSetupClient
{
    private readonly SemaphoreSlim _connectionGate = new(1, 1);
    private LiveConnection? _live;
    private string? _hubToken;
    private bool _disposed;

    /// <summary>
    /// Asks the portal to negotiate the transport before connecting (needed behind Azure SignalR Service or a proxy
    /// without WebSockets). False by default: the console connects straight over WebSockets, one request and one socket.
    /// </summary>
    public bool Negotiate { get; init; }

    /// <summary>How long the negotiate call's idle HTTP connection is kept (<see cref="Negotiate"/>): not for the whole wait.</summary>
    public static readonly TimeSpan NegotiateIdleTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long the hub connection stays open after the last wait ended, for the next one to reuse (30 s).</summary>
    public TimeSpan IdleConnectionLifetime { get; init; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        LiveConnection? live;
        await _connectionGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            live = _live;
            _live = null;
        }
        finally
        {
            _connectionGate.Release();
        }

        if (live is not null)
        {
            await live.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Watches one request on the console's connection until a decision arrives or the connection closes. True when it closed because its credential ended.</summary>
    private async Task<bool> ListenOnceAsync(
        Guid requestId, Action<SetupStatusResponse> observe, TaskCompletionSource<SetupStatusResponse> decided, CancellationToken cancellationToken)
    {
        var live = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        var waiter = new Waiter(requestId, observe, decided, cancellationToken);
        live.Waiters[waiter] = 0;
        var refused = false;
        try
        {
            try
            {
                observe(await live.Connection.InvokeAsync<SetupStatusResponse>(ConsoleHubNames.Watch, requestId.ToString(), cancellationToken).ConfigureAwait(false));
            }
            catch (HubException)
            {
                // The portal refused the Watch: the connection never joined the request's group.
                refused = true;
                throw;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not HubException)
            {
                // The connection dropped or was closed (its credential ended, say) before Watch answered; the invocation
                // fails as the connection closes, sometimes before its state says so. The connection reconnects, or the
                // next one is opened, and asks for the status again, so nothing is lost. A HubException is the portal
                // refusing the call itself, and is not swallowed.
            }

            await Task.WhenAny(decided.Task, live.Closed).WaitAsync(cancellationToken).ConfigureAwait(false);
            return live.Closed.IsCompleted && live.CredentialEnded;
        }
        finally
        {
            live.Waiters.TryRemove(waiter, out _);
            if (!refused && !live.Closed.IsCompleted && !live.CredentialEnded && !live.Waiters.Keys.Any(w => w.RequestId == requestId))
            {
                // The connection is kept for the next wait: it leaves this request's group, or it would carry the
                // request's pushes for as long as it stays open. (One whose credential ended is being closed.)
                await UnwatchAsync(live, requestId).ConfigureAwait(false);
            }

            if (live.Waiters.IsEmpty)
            {
                live.CloseWhenIdle(IdleConnectionLifetime, _time);
            }
        }
    }

    /// <summary>How long a wait's end may be held by its Unwatch being sent.</summary>
    private static readonly TimeSpan UnwatchSendTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Tells the portal to stop pushing a request on this connection (<see cref="ConsoleHubNames.Unwatch"/>).</summary>
    private static async Task UnwatchAsync(LiveConnection live, Guid requestId)
    {
        try
        {
            // Sent, not invoked: nothing waits for an answer, and the portal handles it before any later Watch sent on
            // this connection (it runs one call per connection at a time, in order).
            // Bounded: a connection in the middle of reconnecting holds the send, and the caller's decision waits for this.
            using var bound = new CancellationTokenSource(UnwatchSendTimeout);
            await live.Connection.SendAsync(ConsoleHubNames.Unwatch, requestId.ToString(), bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or WebSocketException or OperationCanceledException)
        {
            // The connection is reconnecting or closing: a connection that reconnects watches only the waits still
            // running, and a closed one carries nothing more.
        }
    }

    /// <summary>The open connection, or a new one when there is none or the last one closed.</summary>
    private async Task<LiveConnection> AcquireAsync(CancellationToken cancellationToken)
    {
        await _connectionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_live is { } open && !open.Closed.IsCompleted && open.KeepOpen())
            {
                return open;
            }

            if (_live is { } old)
            {
                _ = old.DisposeAsync().AsTask();
            }

            var live = new LiveConnection(BuildConnection());
            live.Attach(this);
            await StartWithBackoffAsync(live.Connection, cancellationToken).ConfigureAwait(false);
            live.OpenedWith = _hubToken;
            ConnectionChanged?.Invoke("connected");
            _live = live;
            return live;
        }
        finally
        {
            _connectionGate.Release();
        }
    }

    private HubConnection BuildConnection()
    {
        var hubUrl = new Uri(_http.BaseAddress!, ConsoleHubNames.Path.TrimStart('/'));
        return new HubConnectionBuilder()
            .WithUrl(hubUrl, options =>
            {
                options.AccessTokenProvider = async () => _hubToken = await CurrentTokenAsync(CancellationToken.None).ConfigureAwait(false);
                if (!Negotiate)
                {
                    options.SkipNegotiation = true;
                    options.Transports = HttpTransportType.WebSockets;
                }
                else
                {
                    // The negotiate call's HTTP connection would otherwise stay open beside the WebSocket for as long
                    // as the console waits: a second socket per console at the portal. Idle connections go after 2 s
                    // (a transport that uses HTTP itself, if one is ever chosen, keeps its busy connections).
                    options.HttpMessageHandlerFactory = _ => new SocketsHttpHandler { PooledConnectionIdleTimeout = NegotiateIdleTimeout };
                }
            })
            .AddJsonProtocol(options => ConsoleJson.Configure(options.PayloadSerializerOptions))
            .WithAutomaticReconnect(new BackoffRetryPolicy())
            .Build();
    }

    private async Task StartWithBackoffAsync(HubConnection connection, CancellationToken cancellationToken)
    {
        var policy = new BackoffRetryPolicy();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await connection.StartAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < 5 && IsRefusedOrUnreachable(ex))
            {
                if (IsRefusedCredential(ex) && _hubToken is { } refused)
                {
                    // The portal no longer accepts the credential: the next attempt verifies again.
                    Interlocked.CompareExchange(ref _token, null, refused);
                }

                await Task.Delay(policy.DelayFor(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool IsRefusedOrUnreachable(Exception ex) => ex is HttpRequestException || (!Negotiate && ex is WebSocketException);

    // With negotiation the refusal is the negotiate call's 401; without it, the WebSocket upgrade is refused and the
    // client only learns that the server did not switch protocols, which a console can only answer by verifying again.
    private bool IsRefusedCredential(Exception ex) =>
        ex is HttpRequestException { StatusCode: HttpStatusCode.Unauthorized }
        || (!Negotiate && ex is WebSocketException);

    private sealed record Waiter(
        Guid RequestId, Action<SetupStatusResponse> Observe, TaskCompletionSource<SetupStatusResponse> Decided, CancellationToken CancellationToken);

    /// <summary>One hub connection and the waits it serves.</summary>
    private sealed class LiveConnection(HubConnection connection) : IAsyncDisposable
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _idleLock = new();
        private ITimer? _idleTimer;
        private int _idleGeneration;
        private bool _closing;
        private int _disposed;

        public HubConnection Connection { get; } = connection;

        public ConcurrentDictionary<Waiter, byte> Waiters { get; } = new();

        public Task Closed => _closed.Task;

        /// <summary>The portal said the connection's credential ended before closing it.</summary>
        public bool CredentialEnded { get; private set; }

        /// <summary>The credential the connection (re)connected with.</summary>
        public string? OpenedWith { get; set; }

        public void Attach(ConsoleSetupClient client)
        {
            Connection.On<SetupStatusResponse>(ConsoleHubNames.StatusChanged, status =>
            {
                foreach (var waiter in Waiters.Keys)
                {
                    waiter.Observe(status);
                }
            });
            Connection.On<CredentialEndedMessage>(ConsoleHubNames.CredentialExpired, _ =>
            {
                // The portal closes this connection next. Forget the credential it was opened with (unless a newer one
                // is already here), so the next connection verifies again.
                CredentialEnded = true;
                if (OpenedWith is { } ended)
                {
                    Interlocked.CompareExchange(ref client._token, null, ended);
                }

                client.ConnectionChanged?.Invoke("credential-expired");
            });
            Connection.Reconnecting += _ =>
            {
                client.ConnectionChanged?.Invoke("reconnecting");
                return Task.CompletedTask;
            };
            Connection.Reconnected += async _ =>
            {
                OpenedWith = client._hubToken;
                client.ConnectionChanged?.Invoke("reconnected");
                foreach (var waiter in Waiters.Keys)
                {
                    try
                    {
                        waiter.Observe(await Connection.InvokeAsync<SetupStatusResponse>(
                            ConsoleHubNames.Watch, waiter.RequestId.ToString(), waiter.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        waiter.Decided.TrySetException(ex);
                    }
                }
            };
            Connection.Closed += _ =>
            {
                client.ConnectionChanged?.Invoke("closed");
                _closed.TrySetResult();
                return Task.CompletedTask;
            };
        }

        /// <summary>Cancels a pending idle close; false when the connection is already closing.</summary>
        public bool KeepOpen()
        {
            lock (_idleLock)
            {
                _idleGeneration++;
                _idleTimer?.Dispose();
                _idleTimer = null;
                return !_closing;
            }
        }

        public void CloseWhenIdle(TimeSpan after, TimeProvider time)
        {
            lock (_idleLock)
            {
                var generation = ++_idleGeneration;
                _idleTimer?.Dispose();
                _idleTimer = time.CreateTimer(_ => CloseIfStillIdle(generation), null, after, Timeout.InfiniteTimeSpan);
            }
        }

        private void CloseIfStillIdle(int generation)
        {
            lock (_idleLock)
            {
                // A wait that started since this timer was armed keeps the connection.
                if (generation != _idleGeneration || !Waiters.IsEmpty || _closing)
                {
                    return;
                }

                _closing = true;
            }

            _ = DisposeAsync().AsTask();
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            lock (_idleLock)
            {
                _closing = true;
                _idleTimer?.Dispose();
                _idleTimer = null;
            }

            await Connection.DisposeAsync().ConfigureAwait(false);
            _closed.TrySetResult();
        }
    }
}
