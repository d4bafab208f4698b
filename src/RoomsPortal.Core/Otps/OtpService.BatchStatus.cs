using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Otps;

/// <summary>One code of a batch as its status shows it: the account and where the code stands, never the code.</summary>
public sealed record BatchCodeStatus(
    Guid OtpId,
    Guid AccountId,
    string Upn,
    string DisplayName,
    OtpState State,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RedeemedAt,
    string? RedeemedBySerial,
    DateTimeOffset? RevokedAt);

public sealed partial class OtpService
{
    /// <summary>
    /// The codes of a batch (a wizard run or an API batch) for accounts in scope, by UPN and paged in the database; null
    /// when the batch does not exist or has no code in scope, so a caller cannot tell the two apart.
    /// </summary>
    public async Task<PagedResult<BatchCodeStatus>?> ListBatchCodesAsync(Guid batchId, AccessScope scope, int page = 1, int pageSize = 50, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        (page, pageSize) = Paging.Clamp(page, pageSize);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var codes = db.Set<OneTimePassword>().AsNoTracking()
            .Where(o => o.BatchId == batchId)
            .Join(ResourceAccountService.Scoped(db, scope), o => o.ResourceAccountId, a => a.Id, (o, a) => new { Otp = o, a.Upn, a.NormalizedUpn, a.DisplayName });
        var total = await codes.CountAsync(ct);
        if (total == 0)
        {
            return null;
        }

        var rows = await codes.OrderBy(c => c.NormalizedUpn).ThenBy(c => c.Otp.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new PagedResult<BatchCodeStatus>(
            [.. rows.Select(r => new BatchCodeStatus(
                r.Otp.Id, r.Otp.ResourceAccountId, r.Upn, r.DisplayName, StateOf(r.Otp, now), r.Otp.CreatedAt, r.Otp.ExpiresAt,
                r.Otp.RedeemedAt, r.Otp.RedeemedBySerial, r.Otp.RevokedAt))],
            total, page, pageSize);
    }
}
