using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using static RoomsPortal.Web.Tests.Automation.ApiTestKit;

namespace RoomsPortal.Web.Tests.Automation;

/// <summary>
/// The provisioning endpoints of the second API wave, as a script meets them: the portal in Production on a real SQLite
/// file, an API key only; each call's success, its refusals (bad input, outside the key's room groups) writing nothing,
/// and the audit entry naming the key.
/// </summary>
public sealed class ProvisioningApiTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new PortalFactory().InProduction();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_site_lead_key_disables_and_enables_an_account_of_its_groups_and_the_audit_names_it()
    {
        var setup = new PortalProvisioning(_portal.Services);
        var north = await setup.CreateAccountAsync("room-n1@contoso.example", roomGroup: "North", ct: Ct);
        var south = await setup.CreateAccountAsync("room-s1@contoso.example", roomGroup: "South", ct: Ct);
        using var lead = await _portal.ClientWithKeyAsync("lead-script", PortalRoles.SiteLead, await GroupIdAsync("North"));
        var before = (await _portal.AuditAsync()).Count;

        using var outside = await lead.PostAsync($"/api/v1/resource-accounts/{south}/disable", null, Ct);
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (outside.StatusCode, await CodeAsync(outside)));
        Assert.Equal(before, (await _portal.AuditAsync()).Count);

        using var disabled = await lead.PostAsync($"/api/v1/resource-accounts/{north}/disable", null, Ct);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.False((await JsonAsync(disabled)).GetProperty("enabled").GetBoolean());
        using var enabled = await lead.PostAsync($"/api/v1/resource-accounts/{north}/enable", null, Ct);
        Assert.True((await JsonAsync(enabled)).GetProperty("enabled").GetBoolean());

        var entries = (await _portal.AuditAsync()).Where(e => e.Operation == AuditOperations.AccountUpdated && e.ActorName == "API key lead-script").ToList();
        Assert.Equal(["Enabled", "Disabled; 0 unused OTP(s) revoked"], entries.Select(e => e.Details));
        Assert.All(entries, e => Assert.Equal("room-n1@contoso.example", e.Target));
    }

    [Fact]
    public async Task Assign_room_group_moves_accounts_in_bulk_and_a_refused_call_moves_none()
    {
        var setup = new PortalProvisioning(_portal.Services);
        var first = await setup.CreateAccountAsync("room-a1@contoso.example", roomGroup: "Old", ct: Ct);
        var second = await setup.CreateAccountAsync("room-a2@contoso.example", roomGroup: "Old", ct: Ct);
        var target = await GroupIdAsync("New", create: true);
        using var api = await _portal.ClientWithKeyAsync("mover", PortalRoles.RoomsProManager);
        using var lead = await _portal.ClientWithKeyAsync("lead", PortalRoles.SiteLead, target);
        var before = (await _portal.AuditAsync()).Count;

        using var unknown = await api.PostAsJsonAsync("/api/v1/resource-accounts/assign-room-group", new { accountIds = new[] { first, Guid.NewGuid() }, roomGroupId = target }, Ct);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "account_not_found"), (unknown.StatusCode, await CodeAsync(unknown)));
        using var noGroup = await api.PostAsJsonAsync("/api/v1/resource-accounts/assign-room-group", new { accountIds = new[] { first }, roomGroupId = Guid.NewGuid() }, Ct);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "room_group_not_found"), (noGroup.StatusCode, await CodeAsync(noGroup)));
        using var extra = await api.PostAsync("/api/v1/resource-accounts/assign-room-group", Json($$"""{"accountIds":["{{first}}"],"roomGroupId":null,"force":true}"""), Ct);
        await AssertInvalidAsync(extra, "body");
        using var missing = await api.PostAsync("/api/v1/resource-accounts/assign-room-group", Json($$"""{"accountIds":["{{first}}"]}"""), Ct);
        await AssertInvalidAsync(missing, "body");
        using var notManager = await lead.PostAsJsonAsync("/api/v1/resource-accounts/assign-room-group", new { accountIds = new[] { first }, roomGroupId = target }, Ct);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (notManager.StatusCode, await CodeAsync(notManager)));
        Assert.Equal(before, (await _portal.AuditAsync()).Count);
        Assert.Equal(0, (await api.GetFromJsonAsync<JsonElement>($"/api/v1/resource-accounts?roomGroupId={target}", Ct)).GetProperty("total").GetInt32());

        using var moved = await api.PostAsJsonAsync("/api/v1/resource-accounts/assign-room-group", new { accountIds = new[] { first, second }, roomGroupId = target }, Ct);

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var answer = await JsonAsync(moved);
        Assert.Equal((2, "New"), (answer.GetProperty("moved").GetInt32(), answer.GetProperty("roomGroupName").GetString()));
        Assert.Equal(2, (await api.GetFromJsonAsync<JsonElement>($"/api/v1/resource-accounts?roomGroupId={target}", Ct)).GetProperty("total").GetInt32());
        var entry = Assert.Single(await _portal.AuditAsync(), e => e.Operation == AuditOperations.RoomGroupAccountsAssigned);
        Assert.Equal("API key mover", entry.ActorName);
        Assert.Contains("room-a1@contoso.example (from 'Old')", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_status_shows_each_codes_account_and_state_but_never_the_code()
    {
        var setup = new PortalProvisioning(_portal.Services);
        var first = await setup.CreateAccountAsync("room-b1@contoso.example", roomGroup: "North", ct: Ct);
        var second = await setup.CreateAccountAsync("room-b2@contoso.example", roomGroup: "North", ct: Ct);
        using var api = await _portal.ClientWithKeyAsync("batcher", PortalRoles.RoomsProManager);
        using var elsewhere = await _portal.ClientWithKeyAsync("south-lead", PortalRoles.SiteLead, await GroupIdAsync("South", create: true));
        using var created = await api.PostAsJsonAsync("/api/v1/otp-batches", new { accountIds = new[] { first, second }, passwordMode = "GeneratePasswords" }, Ct);
        var batch = await JsonAsync(created);
        var batchId = batch.GetProperty("batchId").GetGuid();
        var codes = batch.GetProperty("codes").EnumerateArray().ToList();
        var revokedId = codes.Single(c => c.GetProperty("upn").GetString() == "room-b2@contoso.example").GetProperty("otpId").GetGuid();
        using var revoked = await api.DeleteAsync($"/api/v1/otp-batches/codes/{revokedId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        using var status = await api.GetAsync($"/api/v1/otp-batches/{batchId}/codes?pageSize=1&page=2", Ct);

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var text = await status.Content.ReadAsStringAsync(Ct);
        Assert.All(codes, c => Assert.DoesNotContain(c.GetProperty("code").GetString()!, text, StringComparison.Ordinal));
        var page = JsonDocument.Parse(text).RootElement;
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(("room-b2@contoso.example", "Revoked"), (item.GetProperty("upn").GetString(), item.GetProperty("state").GetString()));
        Assert.False(item.TryGetProperty("code", out _));
        var firstPage = await api.GetFromJsonAsync<JsonElement>($"/api/v1/otp-batches/{batchId}/codes", Ct);
        Assert.Equal(["Active", "Revoked"], firstPage.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("state").GetString()));
        Assert.Equal(batch.GetProperty("expiresAt").GetDateTimeOffset(), firstPage.GetProperty("items")[0].GetProperty("expiresAt").GetDateTimeOffset());

        using var outside = await elsewhere.GetAsync($"/api/v1/otp-batches/{batchId}/codes", Ct);
        using var unknown = await api.GetAsync($"/api/v1/otp-batches/{Guid.NewGuid()}/codes", Ct);
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (outside.StatusCode, await CodeAsync(outside)));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (unknown.StatusCode, await CodeAsync(unknown)));
        using var badPage = await api.GetAsync($"/api/v1/otp-batches/{batchId}/codes?pageSize=0", Ct);
        await AssertInvalidAsync(badPage, "page");
    }

    [Fact]
    public async Task An_approval_request_outside_the_keys_groups_is_the_same_404_as_an_unknown_one()
    {
        using var manufacturer = new TestManufacturer();
        await manufacturer.RegisterAsync(_portal.Services, Ct);
        var setup = new PortalProvisioning(_portal.Services);
        var account = await setup.CreateAccountAsync("room-r1@contoso.example", roomGroup: "North", ct: Ct);
        var otp = await setup.IssueOtpAsync(account, "room-r1@contoso.example", ct: Ct);
        using var http = _portal.CreateDefaultClient();
        var console = new ConsoleSetupClient(http, manufacturer.Console("SN-GET-1"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        var requestId = (await console.RedeemOtpAsync(otp.Code, Ct)).RequestId;
        using var lead = await _portal.ClientWithKeyAsync("north-lead", PortalRoles.SiteLead, await GroupIdAsync("North"));
        using var outsider = await _portal.ClientWithKeyAsync("south-lead", PortalRoles.SiteLead, await GroupIdAsync("South", create: true));

        var request = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/approval-requests/{requestId}", Ct);
        Assert.Equal(("SN-GET-1", "Pending", "room-r1@contoso.example"),
            (request.GetProperty("serial").GetString(), request.GetProperty("status").GetString(), request.GetProperty("accountUpn").GetString()));

        using var outside = await outsider.GetAsync($"/api/v1/approval-requests/{requestId}", Ct);
        using var unknown = await outsider.GetAsync($"/api/v1/approval-requests/{Guid.NewGuid()}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        var (hidden, missing) = (await JsonAsync(outside), await JsonAsync(unknown));
        foreach (var field in new[] { "code", "title", "detail", "type", "status" })
        {
            Assert.Equal(missing.GetProperty(field).ToString(), hidden.GetProperty(field).ToString());
        }
    }

    [Fact]
    public async Task Verification_failures_are_listed_counted_and_resolved_with_an_audited_note_by_a_helpdesk_key()
    {
        using var manufacturer = new TestManufacturer();
        await manufacturer.RegisterAsync(_portal.Services, Ct);
        using var http = _portal.CreateDefaultClient();
        foreach (var serial in new[] { "SN-F1", "SN-F2", "SN-F2" })
        {
            await Assert.ThrowsAsync<ConsoleApiException>(() => new ConsoleSetupClient(http, manufacturer.UncertifiedConsole(serial)).VerifyDeviceAsync(Ct));
        }

        using var helpdesk = await _portal.ClientWithKeyAsync("desk-script", PortalRoles.Helpdesk, await GroupIdAsync("Desk", create: true));

        var list = await helpdesk.GetFromJsonAsync<JsonElement>("/api/v1/verification-failures?search=sn-f2&pageSize=1", Ct);
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        var failure = list.GetProperty("items")[0];
        Assert.Equal(("DeviceNotCertified", 2), (failure.GetProperty("reason").GetString(), failure.GetProperty("repeatCount").GetInt32()));
        Assert.NotEmpty(failure.GetProperty("troubleshooting").EnumerateArray());
        var counts = await helpdesk.GetFromJsonAsync<JsonElement>("/api/v1/verification-failures/counts-by-model", Ct);
        var model = Assert.Single(counts.EnumerateArray());
        Assert.Equal(("Uncertified 1", 3, 2), (model.GetProperty("model").GetString(), model.GetProperty("failures").GetInt32(), model.GetProperty("consoles").GetInt32()));

        var id = failure.GetProperty("id").GetGuid();
        var before = (await _portal.AuditAsync()).Count;
        using var empty = await helpdesk.PostAsJsonAsync($"/api/v1/verification-failures/{id}/resolve", new { note = "  " }, Ct);
        await AssertInvalidAsync(empty, "note");
        using var hidden = await helpdesk.PostAsJsonAsync($"/api/v1/verification-failures/{id}/resolve", new { note = "Fixed\u202E" }, Ct);
        await AssertInvalidAsync(hidden, "note");
        using var tooLong = await helpdesk.PostAsJsonAsync($"/api/v1/verification-failures/{id}/resolve", new { note = new string('x', 501) }, Ct);
        await AssertInvalidAsync(tooLong, "note");
        using var wrongType = await helpdesk.PostAsync($"/api/v1/verification-failures/{id}/resolve", Json("""{"note":42}"""), Ct);
        await AssertInvalidAsync(wrongType, "body");
        Assert.Equal(before, (await _portal.AuditAsync()).Count);

        using var resolved = await helpdesk.PostAsJsonAsync($"/api/v1/verification-failures/{id}/resolve", new { note = "Asked the seller for a certified model." }, Ct);
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal("API key desk-script", (await JsonAsync(resolved)).GetProperty("resolvedBy").GetString());
        using var again = await helpdesk.PostAsJsonAsync($"/api/v1/verification-failures/{id}/resolve", new { note = "Again." }, Ct);
        Assert.Equal((HttpStatusCode.Conflict, "already_resolved"), (again.StatusCode, await CodeAsync(again)));
        using var unknown = await helpdesk.PostAsJsonAsync($"/api/v1/verification-failures/{Guid.NewGuid()}/resolve", new { note = "Nothing." }, Ct);
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (unknown.StatusCode, await CodeAsync(unknown)));

        var entry = Assert.Single(await _portal.AuditAsync(), e => e.Operation == AuditOperations.VerificationFailureResolved);
        Assert.Equal("API key desk-script", entry.ActorName);
        Assert.Equal(2, (await helpdesk.GetFromJsonAsync<JsonElement>("/api/v1/verification-failures?unresolvedOnly=true", Ct)).GetProperty("total").GetInt32());
    }

    private async Task<Guid> GroupIdAsync(string name, bool create = false)
    {
        var groups = _portal.Services.GetRequiredService<RoomGroupService>();
        if (create)
        {
            return (await groups.CreateAsync(name, Manager, Ct)).Value!.Id;
        }

        return (await groups.ListAsync(Core.Common.AccessScope.All, Ct)).Single(g => g.Name == name).Id;
    }
}
