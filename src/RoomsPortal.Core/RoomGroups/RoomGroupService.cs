using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.RoomGroups;

public enum RoomGroupError
{
    NotFound,
    InvalidName,
    DuplicateName,
}

/// <summary>Room groups (sites): create, list, rename.</summary>
public sealed class RoomGroupService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public async Task<Result<RoomGroup, RoomGroupError>> CreateAsync(string name, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length is 0 or > RoomGroup.NameMaxLength || trimmed.Any(char.IsControl))
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
        db.Add(AuditEntry.Create(now, actor, AuditCategory.ResourceAccounts, AuditOperations.RoomGroupCreated, trimmed));
        await db.SaveChangesAsync(ct);
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
        if (trimmed.Length is 0 or > RoomGroup.NameMaxLength || trimmed.Any(char.IsControl))
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

        if (await NameTakenAsync(db, trimmed, id, ct))
        {
            return RoomGroupError.DuplicateName;
        }

        db.Add(AuditEntry.Create(now, actor, AuditCategory.ResourceAccounts, AuditOperations.RoomGroupRenamed, trimmed,
            details: $"Renamed from '{group.Name}'"));
        group.Name = trimmed;
        await db.SaveChangesAsync(ct);
        return group;
    }

    private static async Task<bool> NameTakenAsync(PortalDbContext db, string name, Guid? except, CancellationToken ct)
    {
        var upper = name.ToUpperInvariant();
        return await db.Set<RoomGroup>().AnyAsync(g => g.Name.ToUpper() == upper && g.Id != except, ct);
    }
}
