using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Users;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>Email channels over a real SMTP conversation with an in-test server: who gets the message, and what it says.</summary>
public sealed class EmailDeliveryTests
{
    [Fact]
    public async Task A_pending_request_is_mailed_to_each_manager_and_each_site_lead_of_its_room_group_once()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var arrived = smtp.ReceivedAtLeast(2);
        await using var portal = new PortalFactory().Notifying().SendingMailTo(port);
        var admin = new PortalProvisioning(portal.Services);
        await admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var accountId = await admin.CreateAccountAsync("room-mail@contoso.example", roomGroup: "Building 4", ct: Ct);
        var building4 = (await portal.Services.GetRequiredService<RoomGroupService>().ListAsync(Core.Common.AccessScope.All, Ct)).Single(g => g.Name == "Building 4").Id;
        var branch = await portal.CreateRoomGroupAsync("Branch");
        await UserWithEmailAsync(portal, "mia", PortalRoles.RoomsProManager, "mia@contoso.example");
        await UserWithEmailAsync(portal, "sam", PortalRoles.SiteLead, "sam@contoso.example", building4);
        await UserWithEmailAsync(portal, "bo", PortalRoles.SiteLead, "bo@contoso.example", branch);
        await UserWithEmailAsync(portal, "hal", PortalRoles.Helpdesk, "hal@contoso.example", building4);
        var created = await portal.Services.GetRequiredService<NotificationChannelService>().CreateAsync(
            new NewNotificationChannel(NotificationChannelKind.Email, "Admins by email", null, null, [NotificationEventTypes.RequestPending]), PortalProvisioning.Admin, Ct);
        Assert.True(created.Succeeded, created.Error.ToString());
        var otp = await admin.IssueOtpAsync(accountId, "room-mail@contoso.example", ct: Ct);

        var redeemed = await portal.Services.GetRequiredService<Core.Approvals.ApprovalService>().RedeemAsync(
            otp.Code, new Core.Devices.DeviceInfo("SN-MAIL-1", "Contoso", "RoomConsole 10", "1.0"), null, Ct);
        await arrived.WaitAsync(Patience, Ct);

        var mails = smtp.ReceivedEmail;
        Assert.Equal(["mia@contoso.example", "sam@contoso.example"], mails.Select(m => Assert.Single(m.ToAddresses).Address).Order());
        foreach (var mail in mails)
        {
            Assert.Contains(mail.MessageParts, p => p.BodyData.Contains($"{PortalUrl}approvals/{redeemed.Value!.RequestId:D}", StringComparison.Ordinal)
                && p.BodyData.Contains("room-mail@contoso.example", StringComparison.Ordinal));
            Assert.Contains(mail.MessageParts, p => p.HeaderData.Contains("text/html", StringComparison.Ordinal));
            Assert.DoesNotContain(otp.Code, mail.Data, StringComparison.Ordinal);
            Assert.Contains("RoomsPortal: Console SN-MAIL-1 waits for approval", mail.Headers["Subject"], StringComparison.Ordinal);
        }
    }

    internal static async Task UserWithEmailAsync(PortalFactory portal, string name, string role, string email, params Guid[] groups)
    {
        var id = await portal.CreateUserAsync(name, PortalFactory.AdminPassword, role, groups);
        using var scope = portal.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(id);
        Assert.True((await users.SetEmailAsync(user!, email)).Succeeded);
    }
}
