using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Notifications;

/// <summary>A person an email notification goes to.</summary>
public sealed record NotificationRecipient(string Email, string Name)
{
    /// <summary>Without the address: docs/notifications.md promises addresses never reach the logs.</summary>
    public override string ToString() => $"NotificationRecipient {{ Name = {Name}, Email = *** }}";
}

/// <summary>How many enabled people an email channel covers, and how many of them have no address (and so get nothing).</summary>
public sealed record RecipientCoverage(int People, int WithoutEmail);

/// <summary>
/// The people whose role and room groups cover an event: enabled local users with an email address and one of the
/// given roles, either a role that covers every room group or a scoped role assigned to the event's room group.
/// </summary>
public sealed class NotificationRecipients(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <param name="roomGroupId">The event's room group; null reaches only the unscoped roles.</param>
    /// <param name="unscopedRoles">Roles that cover every room group (Rooms Pro Manager).</param>
    /// <param name="scopedRoles">Roles that cover their assigned room groups only.</param>
    /// <param name="ct">Cancels the read.</param>
    public async Task<IReadOnlyList<NotificationRecipient>> ListAsync(
        Guid? roomGroupId, IReadOnlyCollection<string> unscopedRoles, IReadOnlyCollection<string> scopedRoles, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(unscopedRoles);
        ArgumentNullException.ThrowIfNull(scopedRoles);
        var roles = unscopedRoles.Concat(scopedRoles).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var users = await (
                from user in db.Users
                join userRole in db.UserRoles on user.Id equals userRole.UserId
                join role in db.Roles on userRole.RoleId equals role.Id
                where !user.IsDisabled && user.Email != null && roles.Contains(role.Name!)
                select new { user.Id, user.Email, user.DisplayName, user.UserName, Role = role.Name })
            .ToListAsync(ct);
        var scopedIds = users.Where(u => scopedRoles.Contains(u.Role!)).Select(u => u.Id).ToList();
        var covered = roomGroupId is { } groupId && scopedIds.Count > 0
            ? (await db.UserRoomGroups.AsNoTracking().Where(g => g.RoomGroupId == groupId && scopedIds.Contains(g.UserId)).Select(g => g.UserId).ToListAsync(ct)).ToHashSet()
            : [];
        return [.. users
            .Where(u => unscopedRoles.Contains(u.Role!) || covered.Contains(u.Id))
            .DistinctBy(u => u.Email!.ToUpperInvariant())
            .Select(u => new NotificationRecipient(u.Email!, u.DisplayName ?? u.UserName ?? u.Email!))];
    }

    /// <summary>
    /// The enabled people in the given roles that a channel covering <paramref name="roomGroupIds"/> (null: every room
    /// group) can reach, and how many of them have no email address: Settings &gt; Notifications shows it on an email channel.
    /// </summary>
    public async Task<RecipientCoverage> GetCoverageAsync(
        IReadOnlyCollection<Guid>? roomGroupIds, IReadOnlyCollection<string> unscopedRoles, IReadOnlyCollection<string> scopedRoles, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(unscopedRoles);
        ArgumentNullException.ThrowIfNull(scopedRoles);
        var roles = unscopedRoles.Concat(scopedRoles).ToList();
        var groups = roomGroupIds?.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var users = await (
                from user in db.Users
                join userRole in db.UserRoles on user.Id equals userRole.UserId
                join role in db.Roles on userRole.RoleId equals role.Id
                where !user.IsDisabled && roles.Contains(role.Name!)
                select new { user.Id, user.Email, Role = role.Name })
            .ToListAsync(ct);
        var scopedIds = users.Where(u => scopedRoles.Contains(u.Role!)).Select(u => u.Id).ToList();
        var assigned = scopedIds.Count == 0
            ? []
            : (await db.UserRoomGroups.AsNoTracking()
                .Where(g => scopedIds.Contains(g.UserId) && (groups == null || groups.Contains(g.RoomGroupId)))
                .Select(g => g.UserId).ToListAsync(ct)).ToHashSet();
        var reached = users.Where(u => unscopedRoles.Contains(u.Role!) || assigned.Contains(u.Id)).DistinctBy(u => u.Id).ToList();
        return new RecipientCoverage(reached.Count, reached.Count(u => string.IsNullOrEmpty(u.Email)));
    }
}
