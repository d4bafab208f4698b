using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.RoomGroups;

/// <summary>A room group with how many accounts and people are assigned to it.</summary>
public sealed record RoomGroupSummary(Guid Id, string Name, DateTimeOffset CreatedAt, int AccountCount, int PeopleCount)
{
    /// <summary>Only an empty group can be deleted.</summary>
    public bool CanDelete => AccountCount == 0 && PeopleCount == 0;
}

/// <summary>A resource account in a room group.</summary>
public sealed record RoomGroupAccount(Guid Id, string Upn, string DisplayName);

/// <summary>A portal user whose role is scoped to the room group (Rooms Pro Managers cover every group and are not listed).</summary>
public sealed record RoomGroupPerson(string UserId, string UserName, string? DisplayName, string? Role);

/// <summary>Who belongs to a room group: the first <see cref="RoomGroupService.MembersShown"/> accounts by name and the total.</summary>
public sealed record RoomGroupMembers(RoomGroupSummary Group, IReadOnlyList<RoomGroupAccount> Accounts, IReadOnlyList<RoomGroupPerson> People);

/// <summary>The outcome of an assignment: how many accounts moved.</summary>
public sealed record RoomGroupAssignment(int Moved, string? RoomGroupName);

public sealed partial class RoomGroupService
{
    /// <summary>How many member accounts the members view lists (the count covers all of them).</summary>
    public const int MembersShown = 50;

    /// <summary>How many accounts one assignment moves at most.</summary>
    public const int MaxAssignment = CsvLimits.MaxRows;

    /// <summary>Every room group by name, with its member counts (counted in the database).</summary>
    public async Task<IReadOnlyList<RoomGroupSummary>> ListSummariesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Summaries(db, db.Set<RoomGroup>().OrderBy(g => g.Name)).ToListAsync(ct);
    }

    /// <summary>A room group's accounts (the first <see cref="MembersShown"/> by display name) and assigned people, or null when it does not exist.</summary>
    public async Task<RoomGroupMembers?> GetMembersAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var summary = await Summaries(db, db.Set<RoomGroup>().Where(g => g.Id == id)).FirstOrDefaultAsync(ct);
        if (summary is null)
        {
            return null;
        }

        var accounts = await db.Set<ResourceAccount>().AsNoTracking()
            .Where(a => a.RoomGroupId == id)
            .OrderBy(a => a.DisplayName).ThenBy(a => a.NormalizedUpn)
            .Take(MembersShown)
            .Select(a => new RoomGroupAccount(a.Id, a.Upn, a.DisplayName))
            .ToListAsync(ct);
        var people = await (from assignment in db.UserRoomGroups
                            join user in db.Users on assignment.UserId equals user.Id
                            where assignment.RoomGroupId == id
                            orderby user.UserName
                            select new { user.Id, user.UserName, user.DisplayName }).ToListAsync(ct);
        var userIds = people.Select(p => p.Id).ToList();
        var roles = await (from userRole in db.UserRoles
                           join role in db.Roles on userRole.RoleId equals role.Id
                           where userIds.Contains(userRole.UserId)
                           select new { userRole.UserId, role.Name }).ToListAsync(ct);
        return new RoomGroupMembers(
            summary,
            accounts,
            [.. people.Select(p => new RoomGroupPerson(p.Id, p.UserName ?? p.Id, p.DisplayName, roles.FirstOrDefault(r => r.UserId == p.Id)?.Name))]);
    }

    /// <summary>
    /// Moves resource accounts into a room group (or out of every group, with <paramref name="roomGroupId"/> null).
    /// Each account's console in the inventory and its pending sign-in request move with it, so the people of the new
    /// group see and decide them. Every account and the group must be in the caller's scope. Accounts already in the
    /// group are left alone; one audit entry names the group and each moved account with the group it left.
    /// </summary>
    public async Task<Result<RoomGroupAssignment, RoomGroupError>> AssignAccountsAsync(
        IReadOnlyCollection<Guid> accountIds, Guid? roomGroupId, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var ids = accountIds.Distinct().ToList();
        if (ids.Count > MaxAssignment)
        {
            return RoomGroupError.TooManyAccounts;
        }

        if (ids.Count == 0)
        {
            return new RoomGroupAssignment(0, null);
        }

        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            string? groupName = null;
            if (roomGroupId is { } targetId)
            {
                groupName = await db.Set<RoomGroup>().Where(g => g.Id == targetId).Select(g => g.Name).FirstOrDefaultAsync(token);
                if (groupName is null || !scope.Allows(targetId))
                {
                    return Result<RoomGroupAssignment, RoomGroupError>.Failure(RoomGroupError.NotFound);
                }
            }

            var accounts = await ResourceAccountService.Scoped(db, scope).Include(a => a.RoomGroup)
                .Where(a => ids.Contains(a.Id)).ToListAsync(token);
            if (accounts.Count != ids.Count)
            {
                return RoomGroupError.AccountNotFound;
            }

            var moving = accounts.Where(a => a.RoomGroupId != roomGroupId).OrderBy(a => a.NormalizedUpn, StringComparer.Ordinal).ToList();
            if (moving.Count == 0)
            {
                return new RoomGroupAssignment(0, groupName);
            }

            var moved = moving.Select(a => a.Id).ToList();
            var lines = moving.Select(a => $"{a.Upn} (from {Quoted(a.RoomGroup?.Name)})").ToList();
            foreach (var account in moving)
            {
                account.RoomGroupId = roomGroupId;
                account.RoomGroup = null;
                account.UpdatedAt = now;
            }

            await db.Set<Device>().Where(d => moved.Contains(d.ResourceAccountId))
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.RoomGroupId, roomGroupId), token);
            await db.Set<ApprovalRequest>().Where(r => moved.Contains(r.ResourceAccountId) && r.Status == ApprovalStatus.Pending)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.RoomGroupId, roomGroupId), token);
            db.Add(AuditEntry.Create(now, actor, AuditCategory.RoomGroups, AuditOperations.RoomGroupAccountsAssigned, groupName ?? "no room group",
                details: $"{moving.Count} account(s) -> {Quoted(groupName)}: {AuditLists.FirstOf(lines)}"));
            await db.SaveChangesAsync(token);
            return new RoomGroupAssignment(moving.Count, groupName);
        }, ct);
    }

    private static string Quoted(string? name) => name is null ? "no room group" : $"'{name}'";

    private static IQueryable<RoomGroupSummary> Summaries(PortalDbContext db, IQueryable<RoomGroup> groups) =>
        groups.AsNoTracking().Select(g => new RoomGroupSummary(
            g.Id,
            g.Name,
            g.CreatedAt,
            db.Set<ResourceAccount>().Count(a => a.RoomGroupId == g.Id),
            db.UserRoomGroups.Count(u => u.RoomGroupId == g.Id)));
}
