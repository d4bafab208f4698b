using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Users;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Support;

/// <summary>Local sign-in's user store for bUnit pages (Settings &gt; Users, email coverage), over the test's SQLite file.</summary>
internal static class LocalUsers
{
    public static IServiceCollection AddLocalUsers(this IServiceCollection services)
    {
        // The portal's password rules (PortalAuthentication): length, not character classes.
        services.AddIdentityCore<PortalUser>(o =>
            {
                o.User.RequireUniqueEmail = false;
                o.Password.RequiredLength = PortalAuthentication.MinPasswordLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>();
        services.AddSingleton<UserAdministration>();
        return services;
    }

    /// <summary>Adds the portal's roles (the portal does so at start) and the given users through the Users page's class.</summary>
    public static async Task<Dictionary<string, string>> SeedUsersAsync(
        this IServiceProvider services, params (string Name, string Role, string? Email, Guid[] Groups)[] users)
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        using (var scope = services.CreateScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in PortalRoles.All.Where(r => !roles.Roles.Any(x => x.Name == r)))
            {
                Assert.True((await roles.CreateAsync(new IdentityRole(role))).Succeeded);
            }
        }

        var administration = services.GetRequiredService<UserAdministration>();
        var ids = new Dictionary<string, string>();
        foreach (var (name, role, email, groups) in users)
        {
            var (_, error, detail) = await administration.CreateAsync(new NewPortalUser(name, name, role, groups, email), RoomsPortal.Core.Common.Actor.System, ct: ct);
            Assert.True(error is null, $"{error}: {detail}");
            ids[name] = (await administration.FindByUserNameAsync(name, ct))!.Id;
        }

        return ids;
    }
}
