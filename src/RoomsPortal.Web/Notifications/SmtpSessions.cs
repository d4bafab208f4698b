using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace RoomsPortal.Web.Notifications;

/// <summary>
/// Keeps this node's signed-in SMTP sessions between email events, so consecutive events do not each pay for connect,
/// EHLO, STARTTLS and AUTH (about 45-50 ms a message against the bench's mail server, more against a real one with
/// TLS). A session waits idle at most <see cref="IdleLimit"/> and at most <see cref="MaxIdle"/> wait; one idle for more
/// than <see cref="CheckAfter"/> is checked with NOOP before it is used again. A session is used by one sender at a time.
/// </summary>
public sealed class SmtpSessions(IOptions<SmtpOptions> smtp, TimeProvider time) : IAsyncDisposable
{
    /// <summary>How long an idle session is kept (mail servers close idle sessions after minutes, RFC 5321 4.5.3.2).</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(30);

    /// <summary>An idle session older than this is checked (NOOP) before it carries a message.</summary>
    public static readonly TimeSpan CheckAfter = TimeSpan.FromSeconds(5);

    public const int MaxIdle = 4;

    private readonly Lock _gate = new();
    private readonly Stack<(SmtpClient Client, DateTimeOffset Since)> _idle = new();
    private bool _disposed;

    /// <summary>
    /// A signed-in session: an idle one when <paramref name="reuse"/> allows and one is fit (Reused is then true), else
    /// a new one. Connection and sign-in failures are thrown as MailKit throws them.
    /// </summary>
    public async Task<(SmtpClient Client, bool Reused)> RentAsync(bool reuse, CancellationToken ct)
    {
        while (reuse && TakeIdle() is { } idle)
        {
            if (!idle.Client.IsConnected || time.GetUtcNow() - idle.Since > IdleLimit)
            {
                await CloseAsync(idle.Client);
                continue;
            }

            if (time.GetUtcNow() - idle.Since <= CheckAfter)
            {
                return (idle.Client, true);
            }

            try
            {
                await idle.Client.NoOpAsync(ct);
                return (idle.Client, true);
            }
            catch (OperationCanceledException)
            {
                // Stopping or out of time: the session is in nobody's hands now, so it is closed here.
                idle.Client.Dispose();
                throw;
            }
            catch (Exception)
            {
                // The server closed it meanwhile: try the next one, or a new session.
                idle.Client.Dispose();
            }
        }

        var settings = smtp.Value;
        var client = new SmtpClient { Timeout = (int)settings.SendTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(settings.Host!, settings.Port, settings.Security switch
            {
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            }, ct);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? string.Empty, ct);
            }

            return (client, false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Gives back a session that carried its messages; it waits for the next event, or is closed.</summary>
    public async Task ReturnAsync(SmtpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_gate)
        {
            if (!_disposed && client.IsConnected && _idle.Count < MaxIdle)
            {
                _idle.Push((client, time.GetUtcNow()));
                return;
            }
        }

        await CloseAsync(client);
    }

    /// <summary>Drops a session that failed: it is not used again.</summary>
    public static void Discard(SmtpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        List<SmtpClient> idle;
        lock (_gate)
        {
            _disposed = true;
            idle = [.. _idle.Select(i => i.Client)];
            _idle.Clear();
        }

        foreach (var client in idle)
        {
            await CloseAsync(client);
        }
    }

    private (SmtpClient Client, DateTimeOffset Since)? TakeIdle()
    {
        lock (_gate)
        {
            return _idle.Count > 0 ? _idle.Pop() : null;
        }
    }

    // QUIT, bounded: a server that does not answer must not hold the caller (or the shutdown) up.
    private static async Task CloseAsync(SmtpClient client)
    {
        using (client)
        {
            if (!client.IsConnected)
            {
                return;
            }

            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await client.DisconnectAsync(quit: true, bound.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Already gone; the socket closes with the dispose.
            }
        }
    }
}
