using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using netDumbster.smtp;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Automation;
using static RoomsPortal.Web.Tests.Notifications.NotificationTestKit;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>
/// In Production on an empty database, set up only over the automation API: the first Rooms Pro Manager gets an
/// address, an email channel is added with an hourly digest (7 minutes is refused first), two test events wait for the
/// window, the digest is changed to 15 minutes (re-planning them, audited) and one message carries both.
/// </summary>
public sealed class DigestProductionTests
{
    [Fact]
    public async Task A_digest_set_and_changed_over_the_api_sends_its_waiting_events_in_one_message()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var clock = DigestClock();
        await using var portal = new PortalFactory().InProduction().Notifying().SendingMailTo(port).On(clock);
        using var api = await portal.ClientWithKeyAsync("digest-script", PortalRoles.RoomsProManager);
        var users = await api.GetFromJsonAsync<JsonElement>("/api/v1/users", Ct);
        var admin = users.EnumerateArray().Single(u => u.GetProperty("userName").GetString() == PortalFactory.AdminUserName).GetProperty("id").GetString();
        using var adminEmail = await api.PutAsJsonAsync($"/api/v1/users/{admin}/email", new { email = "mia@contoso.example" }, Ct);
        Assert.Equal(HttpStatusCode.OK, adminEmail.StatusCode);

        using var seven = await api.PostAsJsonAsync("/api/v1/notification-channels",
            new { name = "People", kind = "Email", eventTypes = new[] { "request.pending" }, digestMinutes = 7 }, Ct);
        await AssertRefusedAsync(seven);
        using var created = await api.PostAsJsonAsync("/api/v1/notification-channels",
            new { name = "People", kind = "Email", eventTypes = new[] { "request.pending" }, digestMinutes = 60 }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var channel = (await ApiTestKit.JsonAsync(created)).GetProperty("channel");
        Assert.Equal(60, channel.GetProperty("digestMinutes").GetInt32());
        var id = channel.GetProperty("id").GetGuid();
        for (var i = 0; i < 2; i++)
        {
            using var test = await api.PostAsync($"/api/v1/notification-channels/{id}/test", null, Ct);
            Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        }

        using var wrong = await api.PutAsJsonAsync($"/api/v1/notification-channels/{id}/digest", new { digestMinutes = 7 }, Ct);
        await AssertRefusedAsync(wrong);
        using var missing = await api.PutAsJsonAsync($"/api/v1/notification-channels/{Guid.NewGuid()}/digest", new { digestMinutes = 15 }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var changed = await api.PutAsJsonAsync($"/api/v1/notification-channels/{id}/digest", new { digestMinutes = 15 }, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var change = await ApiTestKit.JsonAsync(changed);
        var windowEnd = clock.GetUtcNow().AddMinutes(10);
        Assert.Equal((60, 15, 2, windowEnd), (change.GetProperty("oldMinutes").GetInt32(), change.GetProperty("newMinutes").GetInt32(),
            change.GetProperty("replanned").GetInt32(), change.GetProperty("dueAt").GetDateTimeOffset()));
        var audit = await api.GetFromJsonAsync<JsonElement>("/api/v1/audit-log?category=Notifications", Ct);
        var entry = audit.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("operation").GetString() == "Notifications.DigestChanged");
        Assert.Contains("from 60 to 15 minutes", entry.GetProperty("details").GetString(), StringComparison.Ordinal);

        var arrived = smtp.ReceivedAtLeast(1);
        clock.AdvanceAndWake(windowEnd, portal);
        await arrived.WaitAsync(Patience, Ct);
        await portal.Services.DeliveredLogAsync();

        var mail = Assert.Single(smtp.ReceivedEmail);
        Assert.Equal("mia@contoso.example", Assert.Single(mail.ToAddresses).Address);
        Assert.Equal("RoomsPortal: 2 events (digest)", mail.Headers["Subject"]);
        var text = Assert.Single(mail.MessageParts, p => p.HeaderData.Contains("text/plain", StringComparison.Ordinal)).BodyData;
        Assert.Equal(2, text.Split("Test from RoomsPortal: People").Length - 1);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ApiTestKit.JsonAsync(response);
        Assert.Contains("0, 15, 60 or 1440 minutes", problem.GetProperty("errors").GetProperty("digestMinutes").GetString(), StringComparison.Ordinal);
    }
}
