using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>What the notification tests share: a portal that may send to loopback receivers and polls fast.</summary>
internal static class NotificationTestKit
{
    public const string PortalUrl = "https://portal.example.com/";

    public static TimeSpan Patience => TimeSpan.FromSeconds(30);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Email channels send through the in-test SMTP server on loopback <paramref name="smtpPort"/>, without TLS.</summary>
    public static PortalFactory SendingMailTo(this PortalFactory portal, int smtpPort) => portal
        .WithSetting("Notifications:Smtp:Host", "127.0.0.1")
        .WithSetting("Notifications:Smtp:Port", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Notifications:Smtp:Security", "None")
        .WithSetting("Notifications:Smtp:From", "RoomsPortal <roomsportal@contoso.example>");

    /// <summary>Completes once the server has received <paramref name="count"/> messages.</summary>
    public static Task ReceivedAtLeast(this netDumbster.smtp.SimpleSmtpServer smtp, int count)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        smtp.MessageReceived += (_, _) =>
        {
            if (smtp.ReceivedEmailCount >= count)
            {
                arrived.TrySetResult();
            }
        };
        return arrived.Task;
    }

    /// <summary>
    /// A portal clock that stands still until the test advances it, five minutes into a UTC hour (so a 15- or 60-minute
    /// digest window ends at a known time); the dispatcher's poll waits on it too, so advancing it wakes the dispatcher.
    /// </summary>
    public static Microsoft.Extensions.Time.Testing.FakeTimeProvider DigestClock()
    {
        var now = DateTimeOffset.UtcNow;
        return new(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 5, 0, TimeSpan.Zero));
    }

    /// <summary>
    /// Moves the portal clock on and wakes each node's dispatcher, as its next poll would: a dispatcher busy when the clock
    /// moves would otherwise wait on a fake poll timer set after the move, which only another move would fire.
    /// </summary>
    public static void AdvanceAndWake(this Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, DateTimeOffset to, params PortalFactory[] nodes)
    {
        clock.Advance(to - clock.GetUtcNow());
        foreach (var node in nodes)
        {
            node.Services.GetRequiredService<NotificationOutboxSignal>().Raise();
        }
    }

    /// <summary>The portal reads <paramref name="clock"/> for every time (TimeProvider).</summary>
    public static PortalFactory On(this PortalFactory portal, TimeProvider clock) =>
        portal.WithServices(services => Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.Replace(
            services, ServiceDescriptor.Singleton(clock)));

    /// <summary>The messages received so far, by recipient address.</summary>
    public static ILookup<string, netDumbster.smtp.SmtpMessage> ByAddress(this netDumbster.smtp.SimpleSmtpServer smtp) =>
        smtp.ReceivedEmail.ToLookup(m => Assert.Single(m.ToAddresses).Address, StringComparer.OrdinalIgnoreCase);

    /// <summary>A loopback port free now (for the in-test SMTP server).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Test receivers listen on 127.0.0.1 over http, so private targets are allowed; polling and backoff are fast.</summary>
    public static PortalFactory Notifying(this PortalFactory portal) => portal
        .WithSetting("Notifications:PortalUrl", PortalUrl)
        .WithSetting("Notifications:AllowPrivateTargets", "true")
        .WithSetting("Notifications:PollInterval", "00:00:00.050")
        .WithSetting("Notifications:RetryBaseDelay", "00:00:00.050")
        .WithSetting("Notifications:AttemptTimeout", "00:00:02")
        .WithSetting("Notifications:LeaseDuration", "00:00:05")
        .WithSetting("Notifications:Smtp:SendTimeout", "00:00:03");

    public static async Task<CreatedChannel> AddChannelAsync(
        this IServiceProvider portal, NotificationChannelKind kind, Uri target, string name = "Receiver", params string[] types)
    {
        var created = await portal.GetRequiredService<NotificationChannelService>().CreateAsync(
            new NewNotificationChannel(kind, name, target.AbsoluteUri, null, types.Length == 0 ? NotificationEventTypes.Subscribable : types),
            PortalProvisioning.Admin, Ct);
        Assert.True(created.Succeeded, created.Error.ToString());
        return created.Value!;
    }

    /// <summary>An account with a code, redeemed by a console (through Core, as the console API does); returns the request id.</summary>
    public static async Task<Guid> RedeemAsync(this IServiceProvider portal, string upn, string serial, string roomGroup = "Building 4")
    {
        var admin = new PortalProvisioning(portal);
        var account = await admin.CreateAccountAsync(upn, roomGroup: roomGroup, ct: Ct);
        var otp = await admin.IssueOtpAsync(account, upn, ct: Ct);
        var redeemed = await portal.GetRequiredService<ApprovalService>().RedeemAsync(otp.Code, new DeviceInfo(serial, "Contoso", "RoomConsole 10", "1.0"), "10.0.0.7", Ct);
        Assert.True(redeemed.Succeeded, redeemed.Error.ToString());
        return redeemed.Value!.RequestId;
    }

    public static async Task<List<NotificationDelivery>> DeliveriesAsync(this IServiceProvider portal)
    {
        await using var db = await portal.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.Set<NotificationDelivery>().AsNoTracking().Include(d => d.Event).OrderBy(d => d.EventSequence).ToListAsync(Ct);
    }

    /// <summary>
    /// The delivery log once every delivery is recorded as delivered (or <see cref="Patience"/> ran out): a receiver has
    /// answered before the dispatcher records the answer.
    /// </summary>
    public static async Task<List<NotificationDelivery>> DeliveredLogAsync(this IServiceProvider portal)
    {
        var deadline = DateTime.UtcNow + Patience;
        var log = await portal.DeliveriesAsync();
        while (log.Any(d => d.Status != DeliveryStatus.Delivered) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25, Ct);
            log = await portal.DeliveriesAsync();
        }

        return log;
    }
}
