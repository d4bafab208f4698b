using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Web.Security;

/// <summary>A portal user as the Users page lists it.</summary>
public sealed record UserSummary(
    string Id,
    string UserName,
    string? DisplayName,
    string? Role,
    IReadOnlyList<Guid> RoomGroupIds,
    bool IsDisabled,
    bool MustChangePassword,
    DateTimeOffset? LockedOutUntil);

/// <summary>What an administrator enters to add a user.</summary>
public sealed record NewPortalUser(string UserName, string? DisplayName, string Role, IReadOnlyCollection<Guid> RoomGroupIds);

/// <summary>Why a user change was refused.</summary>
public enum UserChangeError
{
    NotFound,
    UserNameTaken,
    InvalidUserName,
    UnknownRole,
    InvalidPassword,
    WouldRemoveLastManager,
}

/// <summary>
/// Local accounts for the Settings &gt; Users page: add users, assign a role and room groups, reset passwords,
/// disable. Each operation runs in its own scope (its own short-lived DbContext), never one for a whole circuit.
/// Callers are authorized by the <see cref="PortalPolicies.ManagePortal"/> policy on the page.
/// </summary>
public sealed class UserAdministration(IServiceScopeFactory scopes, TimeProvider time)
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           select new { ur.UserId, r.Name }).ToListAsync(ct);
        var groups = await db.UserRoomGroups.AsNoTracking().ToListAsync(ct);
        var now = time.GetUtcNow();
        return users.Select(u => new UserSummary(
                u.Id,
                u.UserName ?? "",
                u.DisplayName,
                roles.FirstOrDefault(r => r.UserId == u.Id)?.Name,
                groups.Where(g => g.UserId == u.Id).Select(g => g.RoomGroupId).ToList(),
                u.IsDisabled,
                u.MustChangePassword,
                u.LockoutEnd > now ? u.LockoutEnd : null))
            .ToList();
    }

    public async Task<IReadOnlyList<RoomGroup>> RoomGroupsAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.RoomGroups.AsNoTracking().OrderBy(g => g.Name).ToListAsync(ct);
    }

    /// <summary>Adds a user who must change the given (or a generated) password at first sign-in; returns the password to hand over.</summary>
    public async Task<(string? Password, UserChangeError? Error, string? Detail)> CreateAsync(
        NewPortalUser user, string? password = null, bool mustChangePassword = true, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!PortalRoles.All.Contains(user.Role))
        {
            return (null, UserChangeError.UnknownRole, null);
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        if (await users.FindByNameAsync(user.UserName.Trim()) is not null)
        {
            return (null, UserChangeError.UserNameTaken, null);
        }

        password ??= BootstrapAdministrator.GeneratePassword();
        var entity = new PortalUser
        {
            UserName = user.UserName.Trim(),
            DisplayName = string.IsNullOrWhiteSpace(user.DisplayName) ? null : user.DisplayName.Trim(),
            MustChangePassword = mustChangePassword,
            CreatedAt = time.GetUtcNow(),
        };
        var created = await users.CreateAsync(entity, password);
        if (!created.Succeeded)
        {
            var passwordError = created.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal));
            return (null, passwordError ? UserChangeError.InvalidPassword : UserChangeError.InvalidUserName, Describe(created));
        }

        await users.AddToRoleAsync(entity, user.Role);
        await SetRoomGroupsAsync(scope.ServiceProvider, entity.Id, PortalRoles.IsScopedToRoomGroups(user.Role) ? user.RoomGroupIds : [], ct);
        return (password, null, null);
    }

    /// <summary>Replaces the user's role and room groups; the user's next security check picks them up.</summary>
    public async Task<UserChangeError?> AssignAsync(string userId, string role, IReadOnlyCollection<Guid> roomGroupIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(roomGroupIds);
        if (!PortalRoles.All.Contains(role))
        {
            return UserChangeError.UnknownRole;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return UserChangeError.NotFound;
        }

        var current = await users.GetRolesAsync(user);
        if (current.Contains(PortalRoles.RoomsProManager) && role != PortalRoles.RoomsProManager && await IsLastManagerAsync(users, user))
        {
            return UserChangeError.WouldRemoveLastManager;
        }

        await users.RemoveFromRolesAsync(user, current);
        await users.AddToRoleAsync(user, role);
        await SetRoomGroupsAsync(scope.ServiceProvider, user.Id, PortalRoles.IsScopedToRoomGroups(role) ? roomGroupIds : [], ct);
        await users.UpdateSecurityStampAsync(user);
        return null;
    }

    /// <summary>Sets a new generated password the user must change at next sign-in; ends existing sign-ins and lockouts.</summary>
    public async Task<(string? Password, UserChangeError? Error)> ResetPasswordAsync(string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return (null, UserChangeError.NotFound);
        }

        var password = BootstrapAdministrator.GeneratePassword();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, password);
        if (!reset.Succeeded)
        {
            return (null, UserChangeError.InvalidPassword);
        }

        user.MustChangePassword = true;
        await users.UpdateAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return (password, null);
    }

    /// <summary>Disables or enables sign-in; a disabled user's existing sign-in ends at its next security check.</summary>
    public async Task<UserChangeError?> SetDisabledAsync(string userId, bool disabled)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return UserChangeError.NotFound;
        }

        if (disabled && await users.IsInRoleAsync(user, PortalRoles.RoomsProManager) && await IsLastManagerAsync(users, user))
        {
            return UserChangeError.WouldRemoveLastManager;
        }

        user.IsDisabled = disabled;
        await users.UpdateAsync(user);
        await users.UpdateSecurityStampAsync(user);
        return null;
    }

    private static async Task<bool> IsLastManagerAsync(UserManager<PortalUser> users, PortalUser user) =>
        (await users.GetUsersInRoleAsync(PortalRoles.RoomsProManager)).All(u => u.Id == user.Id || u.IsDisabled);

    private static async Task SetRoomGroupsAsync(IServiceProvider services, string userId, IReadOnlyCollection<Guid> roomGroupIds, CancellationToken ct)
    {
        var db = services.GetRequiredService<PortalDbContext>();
        await db.UserRoomGroups.Where(a => a.UserId == userId).ExecuteDeleteAsync(ct);
        db.UserRoomGroups.AddRange(roomGroupIds.Distinct().Select(id => new UserRoomGroup { UserId = userId, RoomGroupId = id }));
        await db.SaveChangesAsync(ct);
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}
