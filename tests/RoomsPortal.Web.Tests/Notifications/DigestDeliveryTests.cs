using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Support;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>
/// Email digests through the real dispatcher, a real SMTP conversation and a portal clock the test moves: each window's
/// events reach each person in one message holding only the events that cover them.
/// </summary>
public sealed class DigestDeliveryTests
{
    [Fact]
    public async Task Events_in_one_window_reach_each_person_in_one_digest_and_the_next_window_in_the_next()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var clock = DigestClock();
        var windowEnd = clock.GetUtcNow().AddMinutes(55);
        await using var portal = new PortalFactory().Notifying().SendingMailTo(port).On(clock);
        await new PortalProvisioning(portal.Services).SetPreferencesAsync(autoApproval: false, ct: Ct);
        var building4 = await portal.CreateRoomGroupAsync("Building 4");
        var branch = await portal.CreateRoomGroupAsync("Branch");
        await portal.Services.SeedUsersAsync(
            ("mia", PortalRoles.RoomsProManager, "mia@contoso.example", []),
            ("sam", PortalRoles.SiteLead, "sam@contoso.example", [building4]),
            ("bo", PortalRoles.SiteLead, "bo@contoso.example", [branch]));
        await EmailChannelAsync(portal, 60);
        Guid[] requests =
        [
            await portal.Services.RedeemAsync("room-4.01@contoso.example", "SN-DIG-1"),
            await portal.Services.RedeemAsync("room-4.02@contoso.example", "SN-DIG-2"),
            await portal.Services.RedeemAsync("room-b.01@contoso.example", "SN-DIG-3", roomGroup: "Branch"),
        ];

        var waiting = await portal.Services.DeliveriesAsync();
        Assert.Equal(3, waiting.Count);
        Assert.All(waiting, d => Assert.Equal((DeliveryStatus.Pending, windowEnd), (d.Status, d.NextAttemptAt)));
        var arrived = smtp.ReceivedAtLeast(3);
        clock.AdvanceAndWake(windowEnd, portal);
        await arrived.WaitAsync(Patience, Ct);
        var log = await portal.Services.DeliveredLogAsync();

        Assert.All(log, d => Assert.Equal((DeliveryStatus.Delivered, (DateTimeOffset?)windowEnd), (d.Status, d.LastAttemptAt)));
        var mail = smtp.ByAddress();
        AssertDigest(Assert.Single(mail["mia@contoso.example"]), requests, []);
        AssertDigest(Assert.Single(mail["sam@contoso.example"]), requests[..2], [requests[2]]);
        AssertDigest(Assert.Single(mail["bo@contoso.example"]), [requests[2]], requests[..2]);

        // An event after the window's end goes in the next digest, an hour later.
        var firstDigests = smtp.ReceivedEmail.ToHashSet();
        var next = smtp.ReceivedAtLeast(5);
        var later = await portal.Services.RedeemAsync("room-4.03@contoso.example", "SN-DIG-4");
        Assert.Equal(windowEnd.AddHours(1), (await portal.Services.DeliveriesAsync())[^1].NextAttemptAt);
        clock.AdvanceAndWake(windowEnd.AddHours(1), portal);
        await next.WaitAsync(Patience, Ct);
        await portal.Services.DeliveredLogAsync();

        Assert.Equal(5, smtp.ReceivedEmailCount);
        var secondDigests = smtp.ReceivedEmail.Where(m => !firstDigests.Contains(m)).ToLookup(m => Assert.Single(m.ToAddresses).Address);
        AssertDigest(Assert.Single(secondDigests["mia@contoso.example"]), [later], requests);
        AssertDigest(Assert.Single(secondDigests["sam@contoso.example"]), [later], requests);
        Assert.Empty(secondDigests["bo@contoso.example"]);
    }

    [Fact]
    public async Task Without_a_digest_each_event_is_its_own_message_at_once()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var arrived = smtp.ReceivedAtLeast(2);
        await using var portal = new PortalFactory().Notifying().SendingMailTo(port).On(DigestClock());
        await new PortalProvisioning(portal.Services).SetPreferencesAsync(autoApproval: false, ct: Ct);
        await portal.Services.SeedUsersAsync(("mia", PortalRoles.RoomsProManager, "mia@contoso.example", []));
        await EmailChannelAsync(portal, 0);

        await portal.Services.RedeemAsync("room-4.01@contoso.example", "SN-ONE-1");
        await portal.Services.RedeemAsync("room-4.02@contoso.example", "SN-ONE-2");
        await arrived.WaitAsync(Patience, Ct); // the clock never moves: nothing waits for a window

        var subjects = smtp.ReceivedEmail.Select(m => m.Headers["Subject"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, subjects.Count);
        Assert.StartsWith("RoomsPortal: Console SN-ONE-1 waits for approval", subjects[0], StringComparison.Ordinal);
        Assert.StartsWith("RoomsPortal: Console SN-ONE-2 waits for approval", subjects[1], StringComparison.Ordinal);
        Assert.All(await portal.Services.DeliveredLogAsync(), d => Assert.Equal(DeliveryStatus.Delivered, d.Status));
    }

    private static async Task EmailChannelAsync(PortalFactory portal, int digestMinutes)
    {
        var created = await portal.Services.GetRequiredService<NotificationChannelService>().CreateAsync(
            new NewNotificationChannel(NotificationChannelKind.Email, "People", null, null, [NotificationEventTypes.RequestPending], digestMinutes), PortalProvisioning.Admin, Ct);
        Assert.True(created.Succeeded, created.Error.ToString());
    }

    private static void AssertDigest(SmtpMessage mail, IReadOnlyList<Guid> has, IReadOnlyList<Guid> hasNot)
    {
        Assert.Equal($"RoomsPortal: {has.Count} {(has.Count == 1 ? "event" : "events")} (digest)", mail.Headers["Subject"]);
        Assert.Contains(mail.MessageParts, p => p.HeaderData.Contains("text/html", StringComparison.Ordinal));
        var text = Assert.Single(mail.MessageParts, p => p.HeaderData.Contains("text/plain", StringComparison.Ordinal)).BodyData;
        Assert.All(has, r => Assert.Contains($"{PortalUrl}approvals/{r:D}", text, StringComparison.Ordinal));
        Assert.All(hasNot, r => Assert.DoesNotContain($"{r:D}", mail.Data, StringComparison.Ordinal));
    }
}
