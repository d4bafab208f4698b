using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Users;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;
using static RoomsPortal.Web.Tests.Automation.ApiTestKit;

namespace RoomsPortal.Web.Tests.Automation;

/// <summary>A user's email address (where email notifications go) over <c>/api/v1/users</c>: set, changed, removed, checked, audited.</summary>
public sealed class UserEmailApiTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_key_sets_changes_and_removes_an_address_each_audited_without_the_address_and_a_wrong_one_is_refused_naming_the_fix()
    {
        using var api = await _portal.ClientWithKeyAsync("people-script", PortalRoles.RoomsProManager);
        var north = await _portal.CreateRoomGroupAsync("North");
        var before = (await _portal.AuditAsync()).Count;

        foreach (var wrong in new[] { "lea", "lea@contoso", "Lea <lea@contoso.example>", "lea@contoso.example, bo@contoso.example", "lea @contoso.example" })
        {
            using var refused = await api.PostAsJsonAsync("/api/v1/users", new { userName = "lea", role = "SiteLead", roomGroupIds = new[] { north }, email = wrong }, Ct);
            await AssertInvalidAsync(refused, "email");
            Assert.Contains("such as lea@contoso.com", (await JsonAsync(refused)).GetProperty("errors").GetProperty("email").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, (await _portal.AuditAsync()).Count);
        Assert.Null(await _portal.Services.GetRequiredService<UserAdministration>().FindByUserNameAsync("lea", Ct));

        using var created = await api.PostAsJsonAsync("/api/v1/users",
            new { userName = "lea", role = "SiteLead", roomGroupIds = new[] { north }, email = " lea@contoso.example " }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = (await JsonAsync(created)).GetProperty("user");
        var id = user.GetProperty("id").GetString()!;
        Assert.Equal("lea@contoso.example", user.GetProperty("email").GetString());
        var stamp = await StampAsync(id);

        using var changed = await api.PutAsJsonAsync($"/api/v1/users/{id}/email", new { email = "lea.lead@contoso.example" }, Ct);
        Assert.Equal("lea.lead@contoso.example", (await JsonAsync(changed)).GetProperty("email").GetString());
        using var wrongChange = await api.PutAsJsonAsync($"/api/v1/users/{id}/email", new { email = "lea.lead@" }, Ct);
        await AssertInvalidAsync(wrongChange, "email");
        using var unknown = await api.PutAsJsonAsync($"/api/v1/users/{Guid.NewGuid()}/email", new { email = "x@contoso.example" }, Ct);
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (unknown.StatusCode, await CodeAsync(unknown)));
        using var removed = await api.PutAsync($"/api/v1/users/{id}/email", Json("""{"email":null}"""), Ct);
        var afterRemoval = await JsonAsync(removed);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.True(!afterRemoval.TryGetProperty("email", out var email) || email.ValueKind == System.Text.Json.JsonValueKind.Null, afterRemoval.ToString());

        // The user stays signed in: setting an address is not a reason to end their sessions.
        Assert.Equal(stamp, await StampAsync(id));
        var entries = (await _portal.AuditAsync()).Where(e => e.Target == "lea").OrderBy(e => e.OccurredAt).ThenBy(e => e.Operation).ToList();
        Assert.Equal(
            [(AuditOperations.UserCreated, true), (AuditOperations.UserEmailChanged, true), (AuditOperations.UserEmailChanged, true)],
            entries.Select(e => (e.Operation, e.ActorName == "API key people-script")));
        Assert.EndsWith("; email address set", entries[0].Details, StringComparison.Ordinal);
        Assert.Equal(["Email address for notifications: changed", "Email address for notifications: set -> removed"], entries.Skip(1).Select(e => e.Details));
        Assert.All(entries, e => Assert.DoesNotContain("@contoso.example", e.Details, StringComparison.Ordinal));
        var logs = await _portal.ReadLogsAsync(Ct);
        Assert.DoesNotContain("lea.lead@contoso.example", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("lea@contoso.example", logs, StringComparison.Ordinal);
    }

    private async Task<string?> StampAsync(string id)
    {
        using var scope = _portal.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return (await users.FindByIdAsync(id))!.SecurityStamp;
    }
}
