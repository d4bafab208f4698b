using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;

namespace RoomsPortal.Core.Approvals;

/// <summary>What a link to one request finds: the request, or why the caller cannot see it.</summary>
public enum ApprovalLookupStatus
{
    Found,
    NotFound,

    /// <summary>The request exists in a room group the caller does not manage; nothing else about it is returned.</summary>
    OutsideScope,
}

/// <summary>
/// The answer to <see cref="ApprovalService.FindAsync"/>; <see cref="Request"/> is set only when found.
/// <see cref="DecidedByName"/> is the decider's name as the audit log recorded it (the request keeps only their id).
/// </summary>
public sealed record ApprovalLookup(ApprovalLookupStatus Status, ApprovalRequestView? Request, string? DecidedByName = null)
{
    public static ApprovalLookup NotFound { get; } = new(ApprovalLookupStatus.NotFound, null);

    public static ApprovalLookup OutsideScope { get; } = new(ApprovalLookupStatus.OutsideScope, null);
}

public sealed partial class ApprovalService
{
    /// <summary>
    /// One request for a deep link (<c>/approvals/{id}</c>). Unlike <see cref="GetAsync"/> it tells an unknown id from a
    /// request outside the caller's room groups, so the page can say which; an out-of-scope answer carries no data.
    /// </summary>
    public async Task<ApprovalLookup> FindAsync(Guid requestId, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await GetAsync(requestId, scope, ct) is { } request)
        {
            var name = request.DecidedBy is not { } decidedBy ? null : await db.Set<AuditEntry>().AsNoTracking()
                .Where(a => a.Category == AuditCategory.Approvals && a.Target == request.AccountUpn && a.ActorId == decidedBy)
                .OrderByDescending(a => a.OccurredAt)
                .Select(a => a.ActorName)
                .FirstOrDefaultAsync(ct);
            return new ApprovalLookup(ApprovalLookupStatus.Found, request, name ?? request.DecidedBy);
        }

        var exists = await db.Set<ApprovalRequest>().AnyAsync(r => r.Id == requestId, ct);
        return exists ? ApprovalLookup.OutsideScope : ApprovalLookup.NotFound;
    }
}
