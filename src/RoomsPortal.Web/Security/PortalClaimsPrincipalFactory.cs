using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Web.Security;

/// <summary>Adds what pages and services need to the sign-in cookie: display name, room groups, pending password change.</summary>
internal sealed class PortalClaimsPrincipalFactory(
    UserManager<PortalUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options,
    IDbContextFactory<PortalDbContext> databases)
    : UserClaimsPrincipalFactory<PortalUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(PortalClaims.DisplayName, string.IsNullOrWhiteSpace(user.DisplayName) ? user.UserName ?? "" : user.DisplayName));
        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(PortalClaims.MustChangePassword, "true"));
        }

        await using var db = await databases.CreateDbContextAsync();
        var groups = await db.UserRoomGroups.Where(a => a.UserId == user.Id).Select(a => a.RoomGroupId).ToListAsync();
        foreach (var group in groups)
        {
            identity.AddClaim(new Claim(PortalClaims.RoomGroup, group.ToString()));
        }

        return identity;
    }
}
