using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Otps;

/// <summary>
/// One room's installation sheet: what the technician who sets up the console needs. <see cref="Code"/> is null on
/// sheets made later from a batch: codes are not kept (ADR 0001), so those sheets say the code is handed out separately.
/// </summary>
public sealed record InstallationSheet(string DisplayName, string Upn, string? Code, DateTimeOffset ExpiresAt)
{
    /// <summary>Keeps the code out of logs and debugger summaries.</summary>
    public override string ToString() => $"InstallationSheet {{ Upn = {Upn}, Code = {(Code is null ? "none" : "***")} }}";

    /// <summary>The wizard's sheets: one per issued code, in the order the Result step lists them.</summary>
    public static IReadOnlyList<InstallationSheet> FromBatch(OtpBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return [.. batch.Items.Select(i => new InstallationSheet(i.DisplayName, i.Upn, i.Code, batch.ExpiresAt))];
    }
}

/// <summary>How many sheets share an A4 page.</summary>
public enum SheetLayout
{
    OnePerPage,
    FourPerPage,
}

public sealed partial class OtpService
{
    /// <summary>
    /// Sheets without codes for the codes of a batch that are still usable (not redeemed, revoked or expired), for the
    /// accounts in scope, by UPN. Empty when there are none or the batch is not in scope.
    /// </summary>
    public async Task<IReadOnlyList<InstallationSheet>> ListSheetsWithoutCodesAsync(Guid batchId, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<OneTimePassword>().AsNoTracking()
            .Where(o => o.BatchId == batchId && o.RedeemedAt == null && o.RevokedAt == null && o.ExpiresAt > now)
            .Join(ResourceAccountService.Scoped(db, scope), o => o.ResourceAccountId, a => a.Id, (o, a) => new { a.DisplayName, a.Upn, a.NormalizedUpn, o.ExpiresAt })
            .OrderBy(r => r.NormalizedUpn)
            .ToListAsync(ct);
        return [.. rows.Select(r => new InstallationSheet(r.DisplayName, r.Upn, null, r.ExpiresAt))];
    }

    /// <summary>Audits that <paramref name="actor"/> took installation sheets of a batch out of the portal, and how many.</summary>
    public async Task RecordSheetsDownloadedAsync(Guid batchId, int sheetCount, bool withCodes, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentOutOfRangeException.ThrowIfNegative(sheetCount);
        var now = time.GetUtcNow();
        await dbFactory.InTransactionAsync(async (db, token) =>
        {
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Otps, AuditOperations.SheetsDownloaded, $"OTP run {batchId}",
                details: withCodes
                    ? $"{sheetCount} installation sheet(s) with their one-time passwords downloaded as PDF"
                    : $"{sheetCount} installation sheet(s) without codes downloaded as PDF"));
            await db.SaveChangesAsync(token);
            return true;
        }, ct);
    }
}
