using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Web.Security;

/// <summary>A portal user as the Users page lists it.</summary>
public sealed record UserSummary(
    string Id,
    string UserName,
    string? DisplayName,
    string? Email,
    string? Role,
    IReadOnlyList<Guid> RoomGroupIds,
    bool IsDisabled,
    bool MustChangePassword,
    DateTimeOffset? LockedOutUntil)
{
    /// <summary>Without the email address (kept out of logs, as docs/notifications.md says).</summary>
    public override string ToString() =>
        $"UserSummary {{ Id = {Id}, UserName = {UserName}, Role = {Role}, Email = {(Email is null ? "(none)" : "***")}, IsDisabled = {IsDisabled} }}";
}

/// <summary>What an administrator enters to add a user; <paramref name="Email"/> is where email notifications go (optional).</summary>
public sealed record NewPortalUser(string UserName, string? DisplayName, string Role, IReadOnlyCollection<Guid> RoomGroupIds, string? Email = null)
{
    /// <summary>Without the email address.</summary>
    public override string ToString() => $"NewPortalUser {{ UserName = {UserName}, Role = {Role}, Email = {(Email is null ? "(none)" : "***")} }}";
}

/// <summary>Why a user change was refused.</summary>
public enum UserChangeError
{
    NotFound,
    UserNameTaken,
    InvalidUserName,
    UnknownRole,
    InvalidPassword,
    WouldRemoveLastManager,

    /// <summary>The display name breaks <see cref="TextRules"/>; the detail says how.</summary>
    InvalidDisplayName,

    /// <summary>An API key tried to make a Rooms Pro Manager (add, promote or enable one): see <see cref="UserAdministration"/>.</summary>
    KeyCannotMakeManager,

    /// <summary>The email address is not one address (<see cref="UserEmail.Problem"/> says what to enter).</summary>
    InvalidEmail,
}

/// <summary>
/// Local accounts for the Settings &gt; Users page: add users, assign a role and room groups, reset passwords,
/// disable. Each operation runs in its own scope (its own short-lived DbContext), never one for a whole circuit, and as
/// one unit of work on that scope's context (<see cref="UnitOfWork"/>): Identity's <c>UserManager</c> writes through the
/// same context, so the change and its audit entry (who, which user, before -&gt; after) commit or roll back together.
/// Callers are authorized by the <see cref="PortalPolicies.ManagePortal"/> policy on the page, and by the automation
/// API's Api.Manage policy (a Rooms Pro Manager key).
///
/// An API key never makes a Rooms Pro Manager: not by adding one, promoting someone, or enabling a disabled one. A key
/// acts with exactly its role and scope, and a key never makes keys (<see cref="ApiKeyRequests"/>), so that a leaked key,
/// limited in time and network, cannot mint an unlimited credential. A Rooms Pro Manager person can make keys on
/// Settings &gt; API keys, has no expiry and no network limit: making one is the same escalation by a detour, so it is
/// refused here, in the transaction, for every caller of this class.
/// </summary>
public sealed class UserAdministration(IServiceScopeFactory scopes, TimeProvider time)
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await SummariesAsync(Context(scope), null, ct);
    }

    /// <summary>One user as the list shows them, or null.</summary>
    public async Task<UserSummary?> GetAsync(string userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        await using var scope = scopes.CreateAsyncScope();
        return (await SummariesAsync(Context(scope), userId, ct)).SingleOrDefault();
    }

    /// <summary>The user with this user name (as Identity compares names), or null.</summary>
    public async Task<UserSummary?> FindByUserNameAsync(string userName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        await using var scope = scopes.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByNameAsync(userName.Trim());
        return user is null ? null : (await SummariesAsync(Context(scope), user.Id, ct)).SingleOrDefault();
    }

    private async Task<List<UserSummary>> SummariesAsync(PortalDbContext db, string? userId, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().Where(u => userId == null || u.Id == userId).OrderBy(u => u.UserName).ToListAsync(ct);
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where userId == null || ur.UserId == userId
                           select new { ur.UserId, r.Name }).ToListAsync(ct);
        var groups = await db.UserRoomGroups.AsNoTracking().Where(g => userId == null || g.UserId == userId).ToListAsync(ct);
        var now = time.GetUtcNow();
        return [.. users.Select(u => new UserSummary(
            u.Id,
            u.UserName ?? "",
            u.DisplayName,
            u.Email,
            roles.FirstOrDefault(r => r.UserId == u.Id)?.Name,
            groups.Where(g => g.UserId == u.Id).Select(g => g.RoomGroupId).ToList(),
            u.IsDisabled,
            u.MustChangePassword,
            u.LockoutEnd > now ? u.LockoutEnd : null))];
    }

    public async Task<IReadOnlyList<RoomGroup>> ListRoomGroupsAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.RoomGroups.AsNoTracking().OrderBy(g => g.Name).ToListAsync(ct);
    }

    /// <summary>
    /// Adds a user who must change the given (or a generated) password at first sign-in; returns the password to hand
    /// over. Audited (who, the user, role and room groups) in the same transaction as the user's rows.
    /// </summary>
    public async Task<(string? Password, UserChangeError? Error, string? Detail)> CreateAsync(
        NewPortalUser user, Actor actor, string? password = null, bool mustChangePassword = true, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(actor);
        if (!PortalRoles.All.Contains(user.Role))
        {
            return (null, UserChangeError.UnknownRole, null);
        }

        if (KeyWouldMakeManager(actor, user.Role))
        {
            return (null, UserChangeError.KeyCannotMakeManager, null);
        }

        var displayName = string.IsNullOrWhiteSpace(user.DisplayName) ? null : user.DisplayName.Trim();
        if (CheckDisplayName(displayName) is { } problem)
        {
            return (null, UserChangeError.InvalidDisplayName, problem);
        }

        if (UserEmail.Problem(user.Email) is { } emailProblem)
        {
            return (null, UserChangeError.InvalidEmail, emailProblem);
        }

        var email = UserEmail.Normalize(user.Email);
        var userName = user.UserName.Trim();
        password ??= BootstrapAdministrator.GeneratePassword();
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await Context(scope).InTransactionAsync<(string?, UserChangeError?, string?)>(async (db, token) =>
        {
            if (await users.FindByNameAsync(userName) is not null)
            {
                return (null, UserChangeError.UserNameTaken, null);
            }

            var entity = new PortalUser
            {
                UserName = userName,
                DisplayName = displayName,
                Email = email,
                NormalizedEmail = email is null ? null : users.NormalizeEmail(email),
                MustChangePassword = mustChangePassword,
                CreatedAt = now,
            };
            var created = await users.CreateAsync(entity, password);
            if (!created.Succeeded)
            {
                await db.Database.RollbackTransactionAsync(token);
                var passwordError = created.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal));
                return (null, passwordError ? UserChangeError.InvalidPassword : UserChangeError.InvalidUserName, Describe(created));
            }

            ThrowIfFailed(await users.AddToRoleAsync(entity, user.Role), "assigning the role");
            var groups = await SetRoomGroupsAsync(db, entity.Id, PortalRoles.IsScopedToRoomGroups(user.Role) ? user.RoomGroupIds : [], token);
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Users, AuditOperations.UserCreated, userName,
                details: $"User {userName} ('{displayName ?? userName}'): none -> role {PortalRoles.DisplayName(user.Role)}, room groups {Groups(user.Role, groups)}; "
                    + (mustChangePassword ? "must choose a new password at first sign-in" : "password set by the administrator")
                    + (email is null ? "" : "; email address set")));
            await db.SaveChangesAsync(token);
            return (password, null, null);
        }, ct);
    }

    /// <summary>
    /// Replaces the user's role and room groups; the user's next security check picks them up. Audited with the role and
    /// room groups before and after; a change to nothing is no change.
    /// </summary>
    public async Task<UserChangeError?> AssignAsync(string userId, string role, IReadOnlyCollection<Guid> roomGroupIds, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(roomGroupIds);
        ArgumentNullException.ThrowIfNull(actor);
        if (!PortalRoles.All.Contains(role))
        {
            return UserChangeError.UnknownRole;
        }

        if (KeyWouldMakeManager(actor, role))
        {
            return UserChangeError.KeyCannotMakeManager;
        }

        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await Context(scope).InTransactionAsync<UserChangeError?>(async (db, token) =>
        {
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

            var before = await GroupNamesAsync(db, db.UserRoomGroups.Where(a => a.UserId == user.Id).Select(a => a.RoomGroupId), token);
            var beforeRole = current.FirstOrDefault();
            var wanted = (PortalRoles.IsScopedToRoomGroups(role) ? roomGroupIds : []).ToList();
            if (beforeRole == role && current.Count == 1
                && before.Keys.ToHashSet().SetEquals(await db.RoomGroups.Where(g => wanted.Contains(g.Id)).Select(g => g.Id).ToListAsync(token)))
            {
                return null;
            }

            ThrowIfFailed(await users.RemoveFromRolesAsync(user, current), "removing the roles");
            ThrowIfFailed(await users.AddToRoleAsync(user, role), "assigning the role");
            var after = await SetRoomGroupsAsync(db, user.Id, wanted, token);
            ThrowIfFailed(await users.UpdateSecurityStampAsync(user), "ending the user's sign-ins");
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Users, AuditOperations.UserRoleChanged, user.UserName ?? user.Id,
                details: $"Role {(beforeRole is null ? "none" : PortalRoles.DisplayName(beforeRole))} -> {PortalRoles.DisplayName(role)}; "
                    + $"room groups {Groups(beforeRole, before)} -> {Groups(role, after)}"));
            await db.SaveChangesAsync(token);
            return null;
        }, ct);
    }

    /// <summary>Sets a new generated password the user must change at next sign-in; ends existing sign-ins and lockouts. Audited, never the password.</summary>
    public async Task<(string? Password, UserChangeError? Error)> ResetPasswordAsync(string userId, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var password = BootstrapAdministrator.GeneratePassword();
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await Context(scope).InTransactionAsync<(string?, UserChangeError?)>(async (db, token) =>
        {
            var user = await users.FindByIdAsync(userId);
            if (user is null)
            {
                return (null, UserChangeError.NotFound);
            }

            var lockedOut = await users.IsLockedOutAsync(user);
            var resetToken = await users.GeneratePasswordResetTokenAsync(user);
            var reset = await users.ResetPasswordAsync(user, resetToken, password);
            if (!reset.Succeeded)
            {
                await db.Database.RollbackTransactionAsync(token);
                return (null, UserChangeError.InvalidPassword);
            }

            user.MustChangePassword = true;
            ThrowIfFailed(await users.UpdateAsync(user), "saving the user");
            ThrowIfFailed(await users.SetLockoutEndDateAsync(user, null), "lifting the lockout");
            ThrowIfFailed(await users.ResetAccessFailedCountAsync(user), "resetting failed attempts");
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Users, AuditOperations.UserPasswordReset, user.UserName ?? user.Id,
                details: $"Password -> a new one-time password handed over by {actor.DisplayName}; must choose a new one at next sign-in; "
                    + $"signed-in sessions ended; lockout {(lockedOut ? "on -> lifted" : "none")}"));
            await db.SaveChangesAsync(token);
            return (password, null);
        }, ct);
    }

    /// <summary>Disables or enables sign-in; a disabled user's existing sign-in ends at its next security check. Audited when it changes anything.</summary>
    public async Task<UserChangeError?> SetDisabledAsync(string userId, bool disabled, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await Context(scope).InTransactionAsync<UserChangeError?>(async (db, token) =>
        {
            var user = await users.FindByIdAsync(userId);
            if (user is null)
            {
                return UserChangeError.NotFound;
            }

            if (user.IsDisabled == disabled)
            {
                return null;
            }

            var manager = await users.IsInRoleAsync(user, PortalRoles.RoomsProManager);
            if (disabled && manager && await IsLastManagerAsync(users, user))
            {
                return UserChangeError.WouldRemoveLastManager;
            }

            if (!disabled && manager && KeyWouldMakeManager(actor, PortalRoles.RoomsProManager))
            {
                return UserChangeError.KeyCannotMakeManager;
            }

            user.IsDisabled = disabled;
            ThrowIfFailed(await users.UpdateAsync(user), "saving the user");
            ThrowIfFailed(await users.UpdateSecurityStampAsync(user), "ending the user's sign-ins");
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Users, disabled ? AuditOperations.UserDisabled : AuditOperations.UserEnabled,
                user.UserName ?? user.Id, details: disabled ? "Sign-in enabled -> disabled; signed-in sessions ended" : "Sign-in disabled -> enabled"));
            await db.SaveChangesAsync(token);
            return null;
        }, ct);
    }

    /// <summary>
    /// Sets, changes or (with null or blank) removes the address email notifications go to. The user's sign-ins go on
    /// (Identity's <c>SetEmailAsync</c> would end them). Audited with who changed whose address, never the address itself.
    /// </summary>
    public async Task<(UserChangeError? Error, string? Detail)> SetEmailAsync(string userId, string? email, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (UserEmail.Problem(email) is { } problem)
        {
            return (UserChangeError.InvalidEmail, problem);
        }

        var address = UserEmail.Normalize(email);
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await Context(scope).InTransactionAsync<(UserChangeError?, string?)>(async (db, token) =>
        {
            var user = await users.FindByIdAsync(userId);
            if (user is null)
            {
                return (UserChangeError.NotFound, null);
            }

            if (string.Equals(user.Email, address, StringComparison.Ordinal))
            {
                return (null, null);
            }

            var change = (user.Email, address) switch
            {
                (null, _) => "none -> set",
                (_, null) => "set -> removed",
                _ => "changed",
            };
            user.Email = address;
            user.NormalizedEmail = address is null ? null : users.NormalizeEmail(address);
            user.EmailConfirmed = false;
            ThrowIfFailed(await users.UpdateAsync(user), "saving the user");
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Users, AuditOperations.UserEmailChanged, user.UserName ?? user.Id,
                details: $"Email address for notifications: {change}"));
            await db.SaveChangesAsync(token);
            return (null, null);
        }, ct);
    }

    /// <summary>Why <paramref name="displayName"/> (trimmed) cannot be shown for a user, or null when it can (it is optional).</summary>
    public static string? CheckDisplayName(string? displayName) =>
        TextRules.CheckName(displayName?.Trim(), "The display name", 256, required: false);

    private static bool KeyWouldMakeManager(Actor actor, string role) => role == PortalRoles.RoomsProManager && ApiKeyIdentity.IsKey(actor);

    private static async Task<bool> IsLastManagerAsync(UserManager<PortalUser> users, PortalUser user) =>
        (await users.GetUsersInRoleAsync(PortalRoles.RoomsProManager)).All(u => u.Id == user.Id || u.IsDisabled);

    // The user's scope: only room groups that exist; returns them by id with their names.
    private static async Task<Dictionary<Guid, string>> SetRoomGroupsAsync(
        PortalDbContext db, string userId, IReadOnlyCollection<Guid> roomGroupIds, CancellationToken ct)
    {
        var wanted = roomGroupIds.Distinct().ToList();
        var groups = await GroupNamesAsync(db, db.RoomGroups.Where(g => wanted.Contains(g.Id)).Select(g => g.Id), ct);
        await db.UserRoomGroups.Where(a => a.UserId == userId).ExecuteDeleteAsync(ct);
        db.UserRoomGroups.AddRange(groups.Keys.Select(id => new UserRoomGroup { UserId = userId, RoomGroupId = id }));
        await db.SaveChangesAsync(ct);
        return groups;
    }

    private static async Task<Dictionary<Guid, string>> GroupNamesAsync(PortalDbContext db, IQueryable<Guid> ids, CancellationToken ct) =>
        await db.RoomGroups.AsNoTracking().Where(g => ids.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Name, ct);

    private static string Groups(string? role, Dictionary<Guid, string> groups) =>
        role is not null && !PortalRoles.IsScopedToRoomGroups(role) ? "every room group"
        : groups.Count == 0 ? "none"
        : string.Join(", ", groups.Values.Order(StringComparer.OrdinalIgnoreCase).Select(n => $"'{n}'"));

    // The scope's context is the one UserManager's store writes through, so both commit in one transaction.
    private static PortalDbContext Context(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<PortalDbContext>();

    private static void ThrowIfFailed(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Failed {what}: {Describe(result)}");
        }
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}
