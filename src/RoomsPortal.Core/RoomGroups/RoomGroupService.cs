using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.RoomGroups;

public enum RoomGroupError
{
    NotFound,
    InvalidName,
    DuplicateName,

    /// <summary>Resource accounts or people are still assigned: move them first.</summary>
    HasMembers,

    /// <summary>An account to assign does not exist or is outside the caller's room groups.</summary>
    AccountNotFound,

    /// <summary>More accounts than one assignment takes.</summary>
    TooManyAccounts,
}

/// <summary>
/// Room groups (sites): create, list, rename, delete, and which accounts and people belong to each. Every change is
/// audited in the same save as the change, naming the group before and after.
/// </summary>
public sealed partial class RoomGroupService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>What the portal calls the name in its messages.</summary>
    public const string NameLabel = "The room group name";

    /// <summary>Why <paramref name="name"/> (trimmed) cannot name a room group, or null when it can.</summary>
    public static string? CheckName(string? name) => TextRules.CheckName(name?.Trim(), NameLabel, RoomGroup.NameMaxLength);

    public async Task<Result<RoomGroup, RoomGroupError>> CreateAsync(string name, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var trimmed = name?.Trim() ?? string.Empty;
        if (CheckName(trimmed) is not null)
        {
            return RoomGroupError.InvalidName;
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await NameTakenAsync(db, trimmed, null, ct))
        {
            return RoomGroupError.DuplicateName;
        }

        var group = new RoomGroup { Id = Guid.NewGuid(), Name = trimmed, CreatedAt = now };
        db.Add(group);
        db.Add(AuditEntry.Create(now, actor, AuditCategory.RoomGroups, AuditOperations.RoomGroupCreated, trimmed));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Someone created the same name a moment earlier (unique index).
            return RoomGroupError.DuplicateName;
        }

        return group;
    }

    public async Task<IReadOnlyList<RoomGroup>> ListAsync(AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var groups = db.Set<RoomGroup>().AsNoTracking();
        if (scope.RoomGroupIds is { } ids)
        {
            var list = ids.ToList();
            groups = groups.Where(g => list.Contains(g.Id));
        }

        return await groups.OrderBy(g => g.Name).ToListAsync(ct);
    }

    public async Task<Result<RoomGroup, RoomGroupError>> RenameAsync(Guid id, string name, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var trimmed = name?.Trim() ?? string.Empty;
        if (CheckName(trimmed) is not null)
        {
            return RoomGroupError.InvalidName;
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var group = await db.Set<RoomGroup>().FirstOrDefaultAsync(g => g.Id == id, ct);
        if (group is null || !scope.Allows(group.Id))
        {
            return RoomGroupError.NotFound;
        }

        if (string.Equals(group.Name, trimmed, StringComparison.Ordinal))
        {
            return group;
        }

        if (await NameTakenAsync(db, trimmed, id, ct))
        {
            return RoomGroupError.DuplicateName;
        }

        db.Add(AuditEntry.Create(now, actor, AuditCategory.RoomGroups, AuditOperations.RoomGroupRenamed, trimmed,
            details: $"Name '{group.Name}' -> '{trimmed}'"));
        group.Name = trimmed;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return RoomGroupError.DuplicateName;
        }

        return group;
    }

    /// <summary>
    /// Deletes an empty room group. Refused with <see cref="RoomGroupError.HasMembers"/> while resource accounts or
    /// people are assigned to it, so no account silently loses its group (and with it its readiness) and nobody's scope
    /// silently shrinks. Its auto approval override goes with it.
    /// </summary>
    public async Task<Result<RoomGroup, RoomGroupError>> DeleteAsync(Guid id, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var group = await db.Set<RoomGroup>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, token);
            if (group is null)
            {
                return Result<RoomGroup, RoomGroupError>.Failure(RoomGroupError.NotFound);
            }

            // One conditional statement: an account or person assigned meanwhile keeps the group.
            var deleted = await db.Set<RoomGroup>()
                .Where(g => g.Id == id
                    && !db.Set<ResourceAccount>().Any(a => a.RoomGroupId == id)
                    && !db.UserRoomGroups.Any(u => u.RoomGroupId == id))
                .ExecuteDeleteAsync(token);
            if (deleted == 0)
            {
                return RoomGroupError.HasMembers;
            }

            db.Add(AuditEntry.Create(now, actor, AuditCategory.RoomGroups, AuditOperations.RoomGroupDeleted, group.Name,
                details: $"Room group '{group.Name}' -> deleted (it had no accounts and no people)"));
            await db.SaveChangesAsync(token);
            return group;
        }, ct);
    }

    private static async Task<bool> NameTakenAsync(PortalDbContext db, string name, Guid? except, CancellationToken ct)
    {
        var upper = name.ToUpperInvariant();
        return await db.Set<RoomGroup>().AnyAsync(g => g.Name.ToUpper() == upper && g.Id != except, ct);
    }
}
