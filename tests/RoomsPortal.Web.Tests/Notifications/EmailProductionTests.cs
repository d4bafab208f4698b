using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using netDumbster.smtp;
using RoomsPortal.ConsoleClient;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Automation;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>
/// In Production on an empty database, set up only over the automation API: a Site Lead is added with an email address,
/// the first Rooms Pro Manager is given one, an email channel is added, and a console's redemption over the console API
/// reaches both addresses through the mail server.
/// </summary>
public sealed class EmailProductionTests
{
    [Fact]
    public async Task A_redemption_is_mailed_to_the_addresses_set_over_the_users_api()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var arrived = smtp.ReceivedAtLeast(2);
        await using var portal = new PortalFactory().InProduction().Notifying().SendingMailTo(port);
        using var api = await portal.ClientWithKeyAsync("people-script", PortalRoles.RoomsProManager);
        using var manufacturer = new TestManufacturer();
        await manufacturer.RegisterAsync(portal.Services, Ct);

        using var group = await api.PostAsJsonAsync("/api/v1/room-groups", new { name = "Building 7" }, Ct);
        var groupId = (await ApiTestKit.JsonAsync(group)).GetProperty("id").GetGuid();
        using var lead = await api.PostAsJsonAsync("/api/v1/users",
            new { userName = "sam", displayName = "Sam Lead", role = "SiteLead", roomGroupIds = new[] { groupId }, email = "sam@contoso.example" }, Ct);
        Assert.Equal(HttpStatusCode.Created, lead.StatusCode);
        var users = await api.GetFromJsonAsync<JsonElement>("/api/v1/users", Ct);
        var admin = users.EnumerateArray().Single(u => u.GetProperty("userName").GetString() == PortalFactory.AdminUserName).GetProperty("id").GetString();
        using var adminEmail = await api.PutAsJsonAsync($"/api/v1/users/{admin}/email", new { email = "mia@contoso.example" }, Ct);
        Assert.Equal(HttpStatusCode.OK, adminEmail.StatusCode);
        using var channel = await api.PostAsJsonAsync("/api/v1/notification-channels",
            new { name = "People", kind = "Email", eventTypes = new[] { "request.pending" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        using var import = await api.PostAsync("/api/v1/resource-accounts/import",
            new StringContent("upn,display name,room group\nroom-7.02@contoso.example,Room 7.02,Building 7\n", Encoding.UTF8, "text/csv"), Ct);
        var accounts = await api.GetFromJsonAsync<JsonElement>("/api/v1/resource-accounts?search=room-7.02", Ct);
        var accountId = accounts.GetProperty("items")[0].GetProperty("id").GetGuid();
        using var batch = await api.PostAsJsonAsync("/api/v1/otp-batches", new { accountIds = new[] { accountId }, passwordMode = "GeneratePasswords" }, Ct);
        var code = (await ApiTestKit.JsonAsync(batch)).GetProperty("codes")[0].GetProperty("code").GetString()!;

        using var http = portal.CreateDefaultClient();
        var console = new ConsoleSetupClient(http, manufacturer.Console("SN-MAIL-PROD"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        var redeemed = await console.RedeemOtpAsync(code, Ct);
        await arrived.WaitAsync(Patience, Ct);

        var mails = smtp.ReceivedEmail;
        Assert.Equal(["mia@contoso.example", "sam@contoso.example"], mails.Select(m => Assert.Single(m.ToAddresses).Address).Order());
        Assert.All(mails, mail =>
        {
            Assert.Contains(mail.MessageParts, p => p.BodyData.Contains($"{PortalUrl}approvals/{redeemed.RequestId:D}", StringComparison.Ordinal));
            Assert.DoesNotContain(code, mail.Data, StringComparison.Ordinal);
        });
    }
}
