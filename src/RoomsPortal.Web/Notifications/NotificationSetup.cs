using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Polly;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Notifications;

/// <summary>Registers the notification options, the outgoing HTTP client with its SSRF policy, the senders and the dispatcher.</summary>
public static class NotificationSetup
{
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(NotificationHttp.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => Handler(sp.GetRequiredService<IOptions<NotificationOptions>>().Value.AllowPrivateTargets))
            // One attempt per dispatch, bounded in time. Retries are the outbox's (persisted backoff, the lease released
            // between attempts), not the HTTP pipeline's: retrying here would hold the lease and hide attempts from the log.
            .AddResilienceHandler("notifications", (pipeline, context) =>
                pipeline.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<NotificationOptions>>().Value.AttemptTimeout));
        services.AddSingleton<INotificationSender, WebhookSender>();
        services.AddSingleton<INotificationSender, TeamsSender>();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations()
            // A lease that runs out while the mail server is still being talked to lets another node send the same event.
            .Validate<IOptions<NotificationOptions>>(
                (smtp, notifications) => string.IsNullOrWhiteSpace(smtp.Host) || notifications.Value.LeaseDuration > smtp.SendTimeout,
                $"{NotificationOptions.Section}:LeaseDuration must be longer than {SmtpOptions.Section}:SendTimeout, or another node could take "
                + "a delivery whose email is still being sent: raise the lease or lower the send timeout.")
            .ValidateOnStart();
        services.AddSingleton<SmtpSessions>();
        services.AddSingleton<INotificationSender, EmailSender>();
        services.AddHostedService<NotificationDispatcher>();
        return services;
    }

    /// <summary>
    /// No proxy, no redirects, and every address the receiver's name resolves to checked when connecting (a public name
    /// that resolves to an internal address is refused: DNS rebinding), unless private targets are allowed.
    /// </summary>
    private static SocketsHttpHandler Handler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            if (!allowPrivate)
            {
                addresses = [.. addresses.Where(NotificationTargets.IsPublic)];
            }

            if (addresses.Length == 0)
            {
                throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no public address; private targets are not allowed ({NotificationOptions.Section}:AllowPrivateTargets).");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
