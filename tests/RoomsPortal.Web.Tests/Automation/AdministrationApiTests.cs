using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using static RoomsPortal.Web.Tests.Automation.ApiTestKit;

namespace RoomsPortal.Web.Tests.Automation;

/// <summary>
/// The administration endpoints of the second API wave (device catalog, preferences, audit log, users), as a script
/// meets them: the portal in Production on a real SQLite file, an API key only; success, refusals that write nothing,
/// and the audit entry naming the key.
/// </summary>
public sealed class AdministrationApiTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new PortalFactory().InProduction();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task The_device_catalog_takes_pem_and_base64_keys_and_models_and_audits_each_change_under_the_key()
    {
        using var api = await _portal.ClientWithKeyAsync("catalog-script", PortalRoles.RoomsProManager);
        using var lead = await _portal.ClientWithKeyAsync("lead", PortalRoles.SiteLead, await GroupAsync("North"));
        using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);

        using var pem = await api.PostAsJsonAsync("/api/v1/device-catalog/keys", new { make = "Contoso", publicKey = first.ExportSubjectPublicKeyInfoPem(), keyName = "2026-A" }, Ct);
        Assert.Equal(HttpStatusCode.Created, pem.StatusCode);
        var key = await JsonAsync(pem);
        Assert.Equal(("Contoso", "2026-A", false), (key.GetProperty("make").GetString(), key.GetProperty("keyName").GetString(), key.GetProperty("revoked").GetBoolean()));
        var base64 = Convert.ToBase64String(second.ExportSubjectPublicKeyInfo());
        using var spki = await api.PostAsJsonAsync("/api/v1/device-catalog/keys", new { make = "contoso", publicKey = base64 }, Ct);
        Assert.Equal(HttpStatusCode.Created, spki.StatusCode);
        Assert.Equal("Contoso", (await JsonAsync(spki)).GetProperty("make").GetString());

        var before = (await _portal.AuditAsync()).Count;
        using var duplicate = await api.PostAsJsonAsync("/api/v1/device-catalog/keys", new { make = "Fabrikam", publicKey = base64 }, Ct);
        Assert.Equal((HttpStatusCode.Conflict, "duplicate_key"), (duplicate.StatusCode, await CodeAsync(duplicate)));
        using var notP256 = await api.PostAsJsonAsync("/api/v1/device-catalog/keys", new { make = "Contoso", publicKey = rsa.ExportSubjectPublicKeyInfoPem() }, Ct);
        await AssertInvalidAsync(notP256, "publicKey");
        Assert.Contains("P-256", (await JsonAsync(notP256)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var badMake = await api.PostAsJsonAsync("/api/v1/device-catalog/keys", new { make = " ", publicKey = base64 }, Ct);
        await AssertInvalidAsync(badMake, "make");
        using var notManager = await lead.PostAsJsonAsync("/api/v1/device-catalog/models", new { make = "Contoso", model = "Bar 1" }, Ct);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (notManager.StatusCode, await CodeAsync(notManager)));
        Assert.Equal(before, (await _portal.AuditAsync()).Count);

        using var model = await api.PostAsJsonAsync("/api/v1/device-catalog/models", new { make = "Contoso", model = "Bar 1" }, Ct);
        Assert.Equal(HttpStatusCode.Created, model.StatusCode);
        var modelId = (await JsonAsync(model)).GetProperty("id").GetGuid();
        using var sameModel = await api.PostAsJsonAsync("/api/v1/device-catalog/models", new { make = "CONTOSO", model = "bar 1" }, Ct);
        Assert.Equal((HttpStatusCode.Conflict, "duplicate_model"), (sameModel.StatusCode, await CodeAsync(sameModel)));

        var catalog = await api.GetFromJsonAsync<JsonElement>("/api/v1/device-catalog", Ct);
        var contoso = Assert.Single(catalog.EnumerateArray());
        Assert.Equal((2, 1), (contoso.GetProperty("keys").GetArrayLength(), contoso.GetProperty("models").GetArrayLength()));

        var keyId = key.GetProperty("id").GetGuid();
        using var revoked = await api.DeleteAsync($"/api/v1/device-catalog/keys/{keyId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        using var revokedAgain = await api.DeleteAsync($"/api/v1/device-catalog/keys/{keyId}", Ct);
        Assert.Equal((HttpStatusCode.Conflict, "already_revoked"), (revokedAgain.StatusCode, await CodeAsync(revokedAgain)));
        using var removed = await api.DeleteAsync($"/api/v1/device-catalog/models/{modelId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using var removedAgain = await api.DeleteAsync($"/api/v1/device-catalog/models/{modelId}", Ct);
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (removedAgain.StatusCode, await CodeAsync(removedAgain)));

        var entries = (await _portal.AuditAsync()).Where(e => e.Category == AuditCategory.DeviceCatalog).ToList();
        Assert.Equal(
            [AuditOperations.ManufacturerKeyAdded, AuditOperations.ManufacturerKeyAdded, AuditOperations.CertifiedModelAdded,
                AuditOperations.ManufacturerKeyRevoked, AuditOperations.CertifiedModelRemoved],
            entries.OrderBy(e => e.OccurredAt).Select(e => e.Operation));
        Assert.All(entries, e => Assert.Equal("API key catalog-script", e.ActorName));
    }

    [Fact]
    public async Task Preferences_change_within_limits_and_bad_values_are_problems_that_write_nothing()
    {
        using var api = await _portal.ClientWithKeyAsync("prefs-script", PortalRoles.RoomsProManager);
        var group = await GroupAsync("North");

        var defaults = await api.GetFromJsonAsync<JsonElement>("/api/v1/preferences", Ct);
        Assert.Equal((8, false), (defaults.GetProperty("otpValidityHours").GetInt32(), defaults.GetProperty("autoApproval").GetBoolean()));
        using var full = await api.PutAsJsonAsync("/api/v1/preferences",
            new { otpValidityHours = 24, autoApproval = false, roomGroupOverrides = new Dictionary<Guid, bool> { [group] = true }, preRegisteredSerials = new[] { "sn-pre-1" } }, Ct);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);

        var before = (await _portal.AuditAsync()).Count;
        foreach (var (body, field) in new[]
        {
            ("""{"otpValidityHours":0,"autoApproval":true}""", "otpValidityHours"),
            ("""{"otpValidityHours":337,"autoApproval":true}""", "otpValidityHours"),
            ("""{"otpValidityHours":12,"autoApproval":"yes"}""", "body"),
            ("""{"otpValidityHours":12.5,"autoApproval":true}""", "body"),
            ("""{"otpValidityHours":"12","autoApproval":true}""", "body"),
            ("""{"otpValidityHours":12,"autoApproval":true,"maxDevices":3}""", "body"),
            ("""{"autoApproval":true}""", "body"),
            ($$$"""{"otpValidityHours":12,"autoApproval":true,"roomGroupOverrides":{"{{{Guid.NewGuid()}}}":true}}""", "roomGroupOverrides"),
            ("""{"otpValidityHours":12,"autoApproval":true,"preRegisteredSerials":[""]}""", "preRegisteredSerials"),
        })
        {
            using var refused = await api.PutAsync("/api/v1/preferences", Json(body), Ct);
            await AssertInvalidAsync(refused, field);
        }

        Assert.Equal(before, (await _portal.AuditAsync()).Count);

        using var changed = await api.PutAsJsonAsync("/api/v1/preferences", new { otpValidityHours = 336, autoApproval = true }, Ct);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var now = await api.GetFromJsonAsync<JsonElement>("/api/v1/preferences", Ct);
        Assert.Equal((336, true), (now.GetProperty("otpValidityHours").GetInt32(), now.GetProperty("autoApproval").GetBoolean()));
        Assert.True(now.GetProperty("roomGroupOverrides").GetProperty(group.ToString()).GetBoolean());
        Assert.Equal(["SN-PRE-1"], now.GetProperty("preRegisteredSerials").EnumerateArray().Select(s => s.GetString()));
        var entry = (await _portal.AuditAsync()).First(e => e.Operation == AuditOperations.PreferencesUpdated);
        Assert.Equal("API key prefs-script", entry.ActorName);
        Assert.StartsWith("OTP validity 24 h -> 336 h; auto approval False -> True", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_log_is_queried_with_the_pages_filters_and_exported_as_streamed_formula_escaped_csv()
    {
        using var api = await _portal.ClientWithKeyAsync("audit-script", PortalRoles.RoomsProManager);
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var model = await api.PostAsJsonAsync("/api/v1/device-catalog/models", new { make = "=Evil", model = "X" }, Ct);
        Assert.Equal(HttpStatusCode.Created, model.StatusCode);
        await GroupAsync("North");
        var end = DateTimeOffset.UtcNow.AddMinutes(1);

        var page = await api.GetFromJsonAsync<JsonElement>($"/api/v1/audit-log?category=DeviceCatalog&actor=audit-SCRIPT&from={Uri.EscapeDataString(start.ToString("O"))}", Ct);
        var entry = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal((1, AuditOperations.CertifiedModelAdded, "API key audit-script", "=Evil X"),
            (page.GetProperty("total").GetInt32(), entry.GetProperty("operation").GetString(), entry.GetProperty("actorName").GetString(), entry.GetProperty("target").GetString()));
        var none = await api.GetFromJsonAsync<JsonElement>($"/api/v1/audit-log?category=DeviceCatalog&to={Uri.EscapeDataString(start.ToString("O"))}", Ct);
        Assert.Equal(0, none.GetProperty("total").GetInt32());
        using var badCategory = await api.GetAsync("/api/v1/audit-log?category=Nothing", Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (badCategory.StatusCode, await CodeAsync(badCategory)));

        using var export = await api.GetAsync($"/api/v1/audit-log/export?from={Uri.EscapeDataString(start.ToString("O"))}&to={Uri.EscapeDataString(end.ToString("O"))}", Ct);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var lines = (await export.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(CsvWriter.Row("time (UTC)", "category", "operation", "result", "actor id", "actor", "target", "details").TrimEnd(), lines[0]);
        Assert.Contains(lines, l => l.Contains(",API key audit-script,'=Evil X,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(AuditOperations.RoomGroupCreated, StringComparison.Ordinal));
        Assert.Equal(await _portal.Services.GetRequiredService<AuditService>().ExportCsvAsync(start, end, Ct), string.Join("\r\n", lines) + "\r\n");

        using var noRange = await api.GetAsync("/api/v1/audit-log/export?from=2026-01-02T00:00:00Z", Ct);
        await AssertInvalidAsync(noRange, "from");
    }

    [Fact]
    public async Task A_key_adds_users_and_changes_their_role_and_sign_in_with_the_users_pages_audit_entries()
    {
        using var api = await _portal.ClientWithKeyAsync("people-script", PortalRoles.RoomsProManager);
        using var lead = await _portal.ClientWithKeyAsync("lead", PortalRoles.SiteLead, await GroupAsync("North"));
        var north = await GroupAsync("North 2");
        var before = (await _portal.AuditAsync()).Count;

        foreach (var (body, field) in new[]
        {
            ("""{"userName":"lea","role":"Boss"}""", "role"),
            ($$"""{"userName":"lea","role":"Helpdesk","roomGroupIds":["{{Guid.NewGuid()}}"]}""", "roomGroupIds"),
            ($$"""{"userName":"lea","role":"RoomsProManager","roomGroupIds":["{{north}}"]}""", "roomGroupIds"),
            ("""{"userName":"lea","role":"Helpdesk","displayName":"Lea\u202E"}""", "displayName"),
            ("""{"userName":"lea","role":"Helpdesk","admin":true}""", "body"),
            ("""{"role":"Helpdesk"}""", "body"),
        })
        {
            using var refused = await api.PostAsync("/api/v1/users", Json(body), Ct);
            await AssertInvalidAsync(refused, field);
        }

        using var leadRefused = await lead.PostAsJsonAsync("/api/v1/users", new { userName = "lea", role = "Helpdesk" }, Ct);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (leadRefused.StatusCode, await CodeAsync(leadRefused)));
        Assert.Equal(before, (await _portal.AuditAsync()).Count);

        using var created = await api.PostAsJsonAsync("/api/v1/users", new { userName = "lea", displayName = "Lea Tech", role = "Helpdesk", roomGroupIds = new[] { north } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var answer = await JsonAsync(created);
        var user = answer.GetProperty("user");
        var id = user.GetProperty("id").GetString()!;
        Assert.Equal(("lea", "Helpdesk", true), (user.GetProperty("userName").GetString(), user.GetProperty("role").GetString(), user.GetProperty("mustChangePassword").GetBoolean()));
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("password").GetString()));
        using var taken = await api.PostAsJsonAsync("/api/v1/users", new { userName = "LEA", role = "Helpdesk" }, Ct);
        Assert.Equal((HttpStatusCode.Conflict, "duplicate_name"), (taken.StatusCode, await CodeAsync(taken)));

        using var promoted = await api.PutAsJsonAsync($"/api/v1/users/{id}/role", new { role = "SiteLead", roomGroupIds = new[] { north } }, Ct);
        Assert.Equal("SiteLead", (await JsonAsync(promoted)).GetProperty("role").GetString());
        using var disabled = await api.PostAsync($"/api/v1/users/{id}/disable", null, Ct);
        Assert.True((await JsonAsync(disabled)).GetProperty("isDisabled").GetBoolean());
        using var enabled = await api.PostAsync($"/api/v1/users/{id}/enable", null, Ct);
        Assert.False((await JsonAsync(enabled)).GetProperty("isDisabled").GetBoolean());
        using var unknown = await api.PostAsync($"/api/v1/users/{Guid.NewGuid()}/disable", null, Ct);
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (unknown.StatusCode, await CodeAsync(unknown)));
        var listed = await api.GetFromJsonAsync<JsonElement>("/api/v1/users", Ct);
        Assert.Contains(listed.EnumerateArray(), u => u.GetProperty("id").GetString() == id && u.GetProperty("roomGroupIds")[0].GetGuid() == north);

        // The bootstrap administrator's Users.Created entry (by the portal) comes first; these are the key's.
        var entries = (await _portal.AuditAsync()).Where(e => e.Category == AuditCategory.Users && e.ActorName == "API key people-script").OrderBy(e => e.OccurredAt).ToList();
        Assert.Equal([AuditOperations.UserCreated, AuditOperations.UserRoleChanged, AuditOperations.UserDisabled, AuditOperations.UserEnabled], entries.Select(e => e.Operation));
        Assert.All(entries, e => Assert.Equal(("apikey:", "lea"), (e.ActorId[..7], e.Target)));
        Assert.Equal("Role Helpdesk / Site Technician -> Site Lead; room groups 'North 2' -> 'North 2'", entries[1].Details);
        Assert.DoesNotContain(entries, e => (e.Details ?? string.Empty).Contains(answer.GetProperty("password").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_cannot_make_a_rooms_pro_manager_by_adding_promoting_or_enabling_one()
    {
        using var api = await _portal.ClientWithKeyAsync("manager-key", PortalRoles.RoomsProManager);
        var helpdesk = await _portal.CreateUserAsync("hal", "hal-password-0001", PortalRoles.Helpdesk, await GroupAsync("North"));
        var manager = await _portal.CreateUserAsync("max", "max-password-0001", PortalRoles.RoomsProManager);
        var people = _portal.Services.GetRequiredService<UserAdministration>();
        Assert.Null(await people.SetDisabledAsync(manager, true, Manager, Ct));
        var before = (await _portal.AuditAsync()).Count;

        using var added = await api.PostAsJsonAsync("/api/v1/users", new { userName = "eve", role = "RoomsProManager" }, Ct);
        using var promoted = await api.PutAsJsonAsync($"/api/v1/users/{helpdesk}/role", new { role = "RoomsProManager" }, Ct);
        using var enabled = await api.PostAsync($"/api/v1/users/{manager}/enable", null, Ct);

        foreach (var refused in new[] { added, promoted, enabled })
        {
            Assert.Equal((HttpStatusCode.Forbidden, "key_cannot_make_manager"), (refused.StatusCode, await CodeAsync(refused)));
        }

        Assert.Null(await people.FindByUserNameAsync("eve", Ct));
        Assert.Equal(PortalRoles.Helpdesk, (await people.GetAsync(helpdesk, Ct))!.Role);
        Assert.True((await people.GetAsync(manager, Ct))!.IsDisabled);
        Assert.Equal(before, (await _portal.AuditAsync()).Count);

        // Below its own role and taking power away stay allowed; a person still makes managers.
        using var demoted = await api.PostAsync($"/api/v1/users/{helpdesk}/disable", null, Ct);
        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        Assert.Null(await people.SetDisabledAsync(manager, false, Manager, Ct));
    }

    [Fact]
    public async Task The_audit_export_is_streamed_without_a_length_over_a_real_connection()
    {
        await using var portal = new PortalFactory().UseRealPort();
        var key = (await portal.Services.GetRequiredService<ApiKeyService>().CreateAsync(new NewApiKey("export", PortalRoles.RoomsProManager, []), Manager, Ct)).Value.Key;
        using var client = new HttpClient { BaseAddress = portal.ServerAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var range = $"from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"))}";

        using var export = await client.GetAsync($"/api/v1/audit-log/export?{range}", HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.True(export.Headers.TransferEncodingChunked, "the export was buffered and sent with a length, not streamed");
        Assert.Null(export.Content.Headers.ContentLength);
        Assert.StartsWith("attachment", export.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("time (UTC),category,", await export.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private async Task<Guid> GroupAsync(string name) =>
        (await _portal.Services.GetRequiredService<RoomGroupService>().CreateAsync(name, Manager, Ct)).Value!.Id;
}
