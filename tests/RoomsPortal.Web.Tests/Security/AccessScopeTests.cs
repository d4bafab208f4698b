using System.Net.Http.Json;
using System.Security.Claims;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Account;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

public sealed class AccessScopeTests
{
    private static readonly Guid North = Guid.NewGuid();
    private static readonly Guid South = Guid.NewGuid();
    private static readonly Guid East = Guid.NewGuid();

    [Fact]
    public void Site_Lead_scope_contains_only_the_assigned_room_groups()
    {
        var scope = AccessScopeFactory.FromPrincipal(User(PortalRoles.SiteLead, North, South));

        Assert.False(scope.IsUnrestricted);
        Assert.Equal(new HashSet<Guid> { North, South }, scope.RoomGroupIds);
        Assert.True(scope.Allows(North));
        Assert.False(scope.Allows(East));
        Assert.False(scope.Allows(null));
    }

    [Fact]
    public void Rooms_Pro_Manager_scope_is_unrestricted_and_others_without_groups_see_nothing()
    {
        Assert.True(AccessScopeFactory.FromPrincipal(User(PortalRoles.RoomsProManager)).IsUnrestricted);
        Assert.Empty(AccessScopeFactory.FromPrincipal(User(PortalRoles.Helpdesk)).RoomGroupIds!);
        Assert.Empty(AccessScopeFactory.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity())).RoomGroupIds!);
        Assert.Empty(AccessScopeFactory.FromPrincipal(User("SomethingElse", North)).RoomGroupIds!);
    }

    [Fact]
    public async Task Signed_in_Site_Lead_gets_the_room_groups_assigned_in_the_database()
    {
        await using var portal = new PortalFactory();
        var north = await portal.CreateRoomGroupAsync("North campus");
        var south = await portal.CreateRoomGroupAsync("South campus");
        await portal.CreateRoomGroupAsync("East campus");
        using var client = portal.CreateClientAs(PortalRoles.SiteLead, north, south);

        var me = await client.GetFromJsonAsync<CurrentUserResponse>(new Uri(AccountApi.MePath, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.False(me!.AllRoomGroups);
        Assert.Equal(new[] { north, south }.Order(), me.RoomGroupIds);
        Assert.Equal([PortalRoles.SiteLead], me.Roles);
    }

    [Fact]
    public void Actor_of_a_signed_in_user_carries_the_user_id_and_display_name()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, "user-1"), new Claim(PortalClaims.DisplayName, "Lea Lead")], "Test"));

        var actor = ActorFactory.FromPrincipal(user);

        Assert.Equal(Core.Common.Actor.User("user-1", "Lea Lead"), actor);
    }

    private static ClaimsPrincipal User(string role, params Guid[] groups)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, "someone"), new(ClaimTypes.Role, role) };
        claims.AddRange(groups.Select(g => new Claim(PortalClaims.RoomGroup, g.ToString())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Test"));
    }
}
