using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Notifications;

/// <summary>A person an email notification goes to.</summary>
public sealed record NotificationRecipient(string Email, string Name);

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
}
