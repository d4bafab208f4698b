using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Database;
using RoomsPortal.Web.Tests.Support;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>Two portal nodes on one database, both dispatching: every event reaches the receiver exactly once, in order; a digest reaches each person once.</summary>
public sealed class TwoNodeDeliveryTests
{
    private const int Events = 12;

    [Fact]
    public async Task Two_nodes_on_PostgreSQL_deliver_each_event_once()
    {
        await using var server = await TestPostgres.CreateDatabaseAsync(Ct);
        await RunAsync(p => p.WithSetting("Database:Provider", "PostgreSql").WithSetting("Database:ConnectionString", server.ConnectionString));
    }

    [Fact]
    public async Task Two_nodes_on_one_SQLite_file_deliver_each_event_once() => await RunAsync(p => p);

    [Fact]
    public async Task Two_nodes_on_PostgreSQL_send_one_digest_per_person()
    {
        await using var server = await TestPostgres.CreateDatabaseAsync(Ct);
        await RunDigestAsync(p => p.WithSetting("Database:Provider", "PostgreSql").WithSetting("Database:ConnectionString", server.ConnectionString));
    }

    [Fact]
    public async Task Two_nodes_on_one_SQLite_file_send_one_digest_per_person() => await RunDigestAsync(p => p);

    // Both nodes dispatch on one clock; when the window ends both wake at once and race for the digest's head.
    private static async Task RunDigestAsync(Func<PortalFactory, PortalFactory> database)
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var clock = DigestClock();
        var windowEnd = clock.GetUtcNow().AddMinutes(10);
        await using var nodeA = database(new PortalFactory().Notifying().SendingMailTo(port).On(clock).KeepData());
        await using var nodeB = database(new PortalFactory(nodeA.DataDirectory).Notifying().SendingMailTo(port).On(clock));
        await nodeA.Services.SeedUsersAsync(
            ("mia", PortalRoles.RoomsProManager, "mia@contoso.example", []),
            ("max", PortalRoles.RoomsProManager, "max@contoso.example", []));
        var created = await nodeA.Services.GetRequiredService<NotificationChannelService>().CreateAsync(
            new NewNotificationChannel(NotificationChannelKind.Email, "People", null, null, [NotificationEventTypes.RequestPending], 15), PortalProvisioning.Admin, Ct);
        Assert.True(created.Succeeded, created.Error.ToString());
        var service = new[] { nodeA, nodeB };
        for (var i = 0; i < Events; i++)
        {
            var sent = await service[i % 2].Services.GetRequiredService<NotificationChannelService>().SendTestAsync(created.Value!.Channel.Id, PortalProvisioning.Admin, Ct);
            Assert.True(sent.Succeeded);
        }

        var arrived = smtp.ReceivedAtLeast(2);
        clock.AdvanceAndWake(windowEnd, nodeA, nodeB);
        await arrived.WaitAsync(Patience, Ct);
        var log = await nodeB.Services.DeliveredLogAsync();

        Assert.All(log, d => Assert.Equal((DeliveryStatus.Delivered, 1), (d.Status, d.Attempts)));
        // Exactly once: nothing more arrives once the log says all are delivered.
        Assert.Equal(2, smtp.ReceivedEmailCount);
        Assert.Equal(["max@contoso.example", "mia@contoso.example"], smtp.ReceivedEmail.Select(m => Assert.Single(m.ToAddresses).Address).Order(StringComparer.Ordinal));
        Assert.All(smtp.ReceivedEmail, m => Assert.Equal($"RoomsPortal: {Events} events (digest)", m.Headers["Subject"]));
    }

    private static async Task RunAsync(Func<PortalFactory, PortalFactory> database)
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        // Some refusals, so both nodes see retries and leases that come back.
        receiver.Answer = n => n % 5 == 1 ? 500 : 200;
        await using var nodeA = database(new PortalFactory().Notifying().KeepData());
        await using var nodeB = database(new PortalFactory(nodeA.DataDirectory).Notifying());
        var channel = await nodeA.Services.AddChannelAsync(NotificationChannelKind.Webhook, new Uri(receiver.Address, "hook"));
        _ = nodeB.Services;
        var service = new[] { nodeA, nodeB };
        for (var i = 0; i < Events; i++)
        {
            var sent = await service[i % 2].Services.GetRequiredService<NotificationChannelService>().SendTestAsync(channel.Channel.Id, PortalProvisioning.Admin, Ct);
            Assert.True(sent.Succeeded);
        }

        var received = await receiver.WaitForAsync(r => r.Count(x => x.Answered == 200) == Events, Patience, Ct);

        var delivered = received.Where(r => r.Answered == 200).Select(r => r.Header("RoomsPortal-Event-Id")).ToList();
        Assert.Equal(Events, delivered.Distinct().Count());
        var log = await nodeB.Services.DeliveredLogAsync();
        Assert.All(log, d => Assert.Equal(DeliveryStatus.Delivered, d.Status));
        // In order: the channel's events arrive in their sequence.
        Assert.Equal(log.Select(d => d.Event!.EventId.ToString("D")), delivered);
        // Exactly once: nothing more arrives once the log says all are delivered.
        Assert.Equal(Events, receiver.Received.Count(r => r.Answered == 200));
    }
}
