using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>
/// Email events share one SMTP session (Production environment, empty database): consecutive events do not each pay
/// for connect, EHLO, STARTTLS and AUTH (the bench measured ~50 ms a message for a session each), and a kept session
/// the server closed meanwhile is replaced at once, without a failed attempt in the delivery log.
/// </summary>
public sealed class EmailSessionTests
{
    [Fact]
    public async Task Consecutive_email_events_go_over_one_session_and_a_closed_one_is_replaced_without_a_failure()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        await using var relay = new CountingRelay(port);
        await using var portal = new PortalFactory().InProduction().Notifying().SendingMailTo(relay.Port);
        var admin = new PortalProvisioning(portal.Services);
        await admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        await EmailDeliveryTests.UserWithEmailAsync(portal, "mia", PortalRoles.RoomsProManager, "mia@contoso.example");
        var created = await portal.Services.GetRequiredService<NotificationChannelService>().CreateAsync(
            new NewNotificationChannel(NotificationChannelKind.Email, "Managers", null, null, [NotificationEventTypes.RequestPending]), PortalProvisioning.Admin, Ct);
        Assert.True(created.Succeeded, created.Error.ToString());

        for (var i = 1; i <= 3; i++)
        {
            var arrived = smtp.ReceivedAtLeast(i);
            await portal.Services.RedeemAsync($"room-session-{i}@contoso.example", $"SN-SESSION-{i}");
            await arrived.WaitAsync(Patience, Ct);
        }

        var afterThree = relay.Connections;
        relay.CutAll();
        var fourth = smtp.ReceivedAtLeast(4);
        await portal.Services.RedeemAsync("room-session-4@contoso.example", "SN-SESSION-4");
        await fourth.WaitAsync(Patience, Ct);
        var log = await portal.Services.DeliveredLogAsync();

        Assert.Equal(1, afterThree);
        Assert.Equal(2, relay.Connections);
        Assert.Equal(4, log.Count);
        Assert.All(log, d => Assert.Equal((DeliveryStatus.Delivered, 1), (d.Status, d.Attempts)));
    }
}
