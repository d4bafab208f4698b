using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

public sealed class UserAdministrationTests : IAsyncLifetime
{
    private static readonly RoomsPortal.Core.Common.Actor Admin = PortalProvisioning.Admin;

    private readonly PortalFactory _portal = new();
    private UserAdministration _users = default!;

    public ValueTask InitializeAsync()
    {
        _users = _portal.Services.GetRequiredService<UserAdministration>();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task New_user_gets_a_one_time_password_the_role_and_only_scoped_room_groups()
    {
        var ct = TestContext.Current.CancellationToken;
        var north = await _portal.CreateRoomGroupAsync("North");

        var (leadPassword, leadError, _) = await _users.CreateAsync(new NewPortalUser("lead", "Lea Lead", PortalRoles.SiteLead, [north]), Admin, ct: ct);
        var (_, managerError, _) = await _users.CreateAsync(new NewPortalUser("boss", null, PortalRoles.RoomsProManager, [north]), Admin, ct: ct);
        var (_, duplicate, _) = await _users.CreateAsync(new NewPortalUser("LEAD", null, PortalRoles.Helpdesk, []), Admin, ct: ct);

        Assert.Null(leadError);
        Assert.Null(managerError);
        Assert.Equal(UserChangeError.UserNameTaken, duplicate);
        Assert.True(leadPassword!.Length >= PortalAuthentication.MinPasswordLength);
        var all = await _users.ListAsync(ct);
        var lead = all.Single(u => u.UserName == "lead");
        Assert.Equal(PortalRoles.SiteLead, lead.Role);
        Assert.Equal([north], lead.RoomGroupIds);
        Assert.True(lead.MustChangePassword);
        Assert.Empty(all.Single(u => u.UserName == "boss").RoomGroupIds);
    }

    [Fact]
    public async Task Last_active_manager_cannot_be_demoted_or_disabled()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = (await _users.ListAsync(ct)).Single(u => u.UserName == PortalFactory.AdminUserName);

        Assert.Equal(UserChangeError.WouldRemoveLastManager, await _users.AssignAsync(admin.Id, PortalRoles.Helpdesk, [], Admin, ct));
        Assert.Equal(UserChangeError.WouldRemoveLastManager, await _users.SetDisabledAsync(admin.Id, disabled: true, Admin, ct));

        await _portal.CreateUserAsync("second-manager", "second-manager-password", PortalRoles.RoomsProManager);
        Assert.Null(await _users.SetDisabledAsync(admin.Id, disabled: true, Admin, ct));
    }

    [Fact]
    public async Task Password_reset_gives_a_new_one_time_password_and_lifts_a_lockout()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _portal.CreateUserAsync("tech", "tech-original-password", PortalRoles.Helpdesk);

        var (password, error) = await _users.ResetPasswordAsync(id, Admin, ct);

        Assert.Null(error);
        var tech = (await _users.ListAsync(ct)).Single(u => u.Id == id);
        Assert.True(tech.MustChangePassword);
        Assert.Null(tech.LockedOutUntil);
        using var client = _portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var signIn = await PortalForms.SignInAsync(client, "tech", password!, ct: ct);
        Assert.StartsWith("/account/change-password", PortalForms.RedirectTarget(signIn), StringComparison.Ordinal);
    }
}
