using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RoomsPortal.ConsoleClient;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Automation;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>
/// In Production on an empty database, set up only over the automation API: a Rooms Pro Manager's key adds a webhook
/// channel, and a console's redemption over the console API arrives at the receiver as a signed webhook within seconds.
/// </summary>
public sealed class NotificationProductionTests
{
    [Fact]
    public async Task A_console_redemption_arrives_as_a_signed_webhook_at_a_channel_added_over_the_api()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        await using var portal = new PortalFactory().InProduction().Notifying();
        using var api = await portal.ClientWithKeyAsync("notifications-script", PortalRoles.RoomsProManager);
        using var manufacturer = new TestManufacturer();
        await manufacturer.RegisterAsync(portal.Services, Ct);

        using var refused = await api.PostAsJsonAsync("/api/v1/notification-channels",
            new { name = "Desk", kind = "Webhook", url = "ftp://hooks.example.com/x", eventTypes = new[] { "request.pending" } }, Ct);
        await ApiTestKit.AssertInvalidAsync(refused, "url");
        using var created = await api.PostAsJsonAsync("/api/v1/notification-channels",
            new { name = "Service desk", kind = "Webhook", url = new Uri(receiver.Address, "desk").AbsoluteUri, eventTypes = new[] { "request.pending", "request.decided" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await ApiTestKit.JsonAsync(created)).GetProperty("secret").GetString()!;
        using var group = await api.PostAsJsonAsync("/api/v1/room-groups", new { name = "Building 7" }, Ct);
        using var import = await api.PostAsync("/api/v1/resource-accounts/import",
            new StringContent("upn,display name,room group\nroom-7.01@contoso.example,Room 7.01,Building 7\n", Encoding.UTF8, "text/csv"), Ct);
        var accounts = await api.GetFromJsonAsync<JsonElement>("/api/v1/resource-accounts?search=room-7.01", Ct);
        var accountId = accounts.GetProperty("items")[0].GetProperty("id").GetGuid();
        using var batch = await api.PostAsJsonAsync("/api/v1/otp-batches", new { accountIds = new[] { accountId }, passwordMode = "GeneratePasswords" }, Ct);
        var code = (await ApiTestKit.JsonAsync(batch)).GetProperty("codes")[0].GetProperty("code").GetString()!;

        using var http = portal.CreateDefaultClient();
        var console = new ConsoleSetupClient(http, manufacturer.Console("SN-PROD-1"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        var clock = Stopwatch.StartNew();
        var redeemed = await console.RedeemOtpAsync(code, Ct);
        var received = await receiver.WaitForAsync(r => r.Count >= 1, TimeSpan.FromSeconds(10), Ct);
        var arrivedAfter = clock.Elapsed;

        var hook = Assert.Single(received);
        Assert.True(hook.SignatureIsValid(secret, DateTimeOffset.UtcNow), "the signature checks with the secret the API returned once");
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal(NotificationEventTypes.RequestPending, body.GetProperty("type").GetString());
        Assert.Equal($"{PortalUrl}approvals/{redeemed.RequestId:D}", body.GetProperty("link").GetString());
        Assert.Equal("room-7.01@contoso.example", body.GetProperty("data").GetProperty("upn").GetString());
        Assert.DoesNotContain(code, hook.Body, StringComparison.Ordinal);
        Assert.True(arrivedAfter < TimeSpan.FromSeconds(5), $"arrived after {arrivedAfter}");
        var channelCreated = Assert.Single(await portal.AuditAsync(), e => e.Operation == AuditOperations.ChannelCreated);
        Assert.Equal("API key notifications-script", channelCreated.ActorName);
        var list = await api.GetFromJsonAsync<JsonElement>("/api/v1/notification-channels", Ct);
        Assert.DoesNotContain(secret, list.GetRawText(), StringComparison.Ordinal);
    }
}
