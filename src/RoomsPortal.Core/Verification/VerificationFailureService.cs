using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Verification;

/// <summary>Filter of the verification failures page. Search matches make, model and serial.</summary>
public sealed record VerificationFailureQuery(
    bool UnresolvedOnly = false,
    string? Search = null,
    int Page = 1,
    int PageSize = 50);

/// <summary>A failed verification as the helpdesk sees it; RepeatCount is how many failures this console (make and serial) has had in all.</summary>
public sealed record VerificationFailureView(
    Guid Id,
    string Make,
    string Model,
    string SerialNumber,
    string? FirmwareVersion,
    string? SourceAddress,
    VerificationFailureReason Reason,
    DateTime OccurredAtUtc,
    int RepeatCount,
    DateTime? ResolvedAtUtc,
    string? ResolvedBy,
    string? ResolutionNote)
{
    public IReadOnlyList<string> Troubleshooting => VerificationTroubleshooting.StepsFor(Reason);
}

/// <summary>How many failures one make and model has.</summary>
public sealed record ModelFailureCount(string Make, string Model, int Failures, int Consoles);

public enum ResolveFailureError
{
    NotFound,
    AlreadyResolved,
    NoteRequired,
    NoteTooLong,

    /// <summary>The note holds invisible formatting or control characters (<see cref="TextRules"/>).</summary>
    NoteHasHiddenCharacters,
}

/// <summary>
/// The helpdesk's view of failed device verifications. Failures happen before a console is tied to an account,
/// so they belong to no room group: everyone who may read operations sees all of them.
/// </summary>
public sealed class VerificationFailureService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public const int NoteMaxLength = 500;

    public async Task<PagedResult<VerificationFailureView>> ListAsync(VerificationFailureQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (page, size) = Paging.Clamp(query.Page, query.PageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var failures = Filter(db.Set<VerificationFailure>().AsNoTracking(), query.UnresolvedOnly, query.Search);
        var total = await failures.CountAsync(ct);
        var all = db.Set<VerificationFailure>();
        var items = await failures.OrderByDescending(f => f.OccurredAtUtc).ThenBy(f => f.Id)
            .Skip((page - 1) * size).Take(size)
            .Select(f => new VerificationFailureView(
                f.Id, f.Make, f.Model, f.SerialNumber, f.FirmwareVersion, f.SourceAddress, f.Reason, f.OccurredAtUtc,
                all.Count(o => o.SerialNumber == f.SerialNumber && o.Make == f.Make),
                f.ResolvedAtUtc, f.ResolvedBy, f.ResolutionNote))
            .ToListAsync(ct);
        return new PagedResult<VerificationFailureView>(items, total, page, size);
    }

    /// <summary>Failures per make and model, most first (grouped in the database).</summary>
    public async Task<IReadOnlyList<ModelFailureCount>> CountsByModelAsync(bool unresolvedOnly, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await Filter(db.Set<VerificationFailure>().AsNoTracking(), unresolvedOnly, null)
            .GroupBy(f => new { f.Make, f.Model })
            .Select(g => new ModelFailureCount(g.Key.Make, g.Key.Model, g.Count(), g.Select(f => f.SerialNumber).Distinct().Count()))
            .ToListAsync(ct);
        return [.. rows.OrderByDescending(r => r.Failures).ThenBy(r => r.Make, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Model, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Marks a failure handled, with what the helpdesk did; audited.</summary>
    public async Task<Result<VerificationFailureView, ResolveFailureError>> ResolveAsync(
        Guid id, string? note, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var trimmed = note?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return ResolveFailureError.NoteRequired;
        }

        if (trimmed.Length > NoteMaxLength)
        {
            return ResolveFailureError.NoteTooLong;
        }

        if (!TextRules.IsCleanNote(trimmed))
        {
            return ResolveFailureError.NoteHasHiddenCharacters;
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var failure = await db.Set<VerificationFailure>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct);
        if (failure is null)
        {
            return ResolveFailureError.NotFound;
        }

        var resolvedBy = actor.DisplayName.Length > 256 ? actor.DisplayName[..256] : actor.DisplayName;
        var resolved = await dbFactory.InTransactionAsync(async (work, token) =>
        {
            var updated = await work.Set<VerificationFailure>()
                .Where(f => f.Id == id && f.ResolvedAtUtc == null)
                .ExecuteUpdateAsync(
                    f => f.SetProperty(x => x.ResolvedAtUtc, now.UtcDateTime)
                        .SetProperty(x => x.ResolvedBy, resolvedBy)
                        .SetProperty(x => x.ResolutionNote, trimmed),
                    token);
            if (updated == 0)
            {
                return false;
            }

            work.Add(AuditEntry.Create(now, actor, AuditCategory.Devices, AuditOperations.VerificationFailureResolved, failure.SerialNumber,
                details: $"Failure {id}; {failure.Make} {failure.Model}; reason {failure.Reason}; note: {trimmed}"));
            await work.SaveChangesAsync(token);
            return true;
        }, ct);
        if (!resolved)
        {
            return ResolveFailureError.AlreadyResolved;
        }

        var repeats = await db.Set<VerificationFailure>().CountAsync(o => o.SerialNumber == failure.SerialNumber && o.Make == failure.Make, ct);
        return new VerificationFailureView(
            failure.Id, failure.Make, failure.Model, failure.SerialNumber, failure.FirmwareVersion, failure.SourceAddress, failure.Reason,
            failure.OccurredAtUtc, repeats, now.UtcDateTime, resolvedBy, trimmed);
    }

    /// <summary>The failures matching the filter as CSV, newest first, with the troubleshooting steps.</summary>
    public async Task<string> ExportCsvAsync(bool unresolvedOnly, string? search = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var failures = await Filter(db.Set<VerificationFailure>().AsNoTracking(), unresolvedOnly, search)
            .OrderByDescending(f => f.OccurredAtUtc)
            .Take(CsvLimits.MaxRows * 10)
            .ToListAsync(ct);
        var writer = new CsvWriter();
        writer.WriteRow(["time (UTC)", "make", "model", "serial", "firmware", "source address", "reason", "troubleshooting",
            "resolved (UTC)", "resolved by", "resolution note"]);
        foreach (var f in failures)
        {
            writer.WriteRow([
                Format(f.OccurredAtUtc), f.Make, f.Model, f.SerialNumber, f.FirmwareVersion, f.SourceAddress, f.Reason.ToString(),
                string.Join(" ", VerificationTroubleshooting.StepsFor(f.Reason)),
                f.ResolvedAtUtc is { } resolved ? Format(resolved) : null, f.ResolvedBy, f.ResolutionNote]);
        }

        return writer.ToString();
    }

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static IQueryable<VerificationFailure> Filter(IQueryable<VerificationFailure> failures, bool unresolvedOnly, string? search)
    {
        if (unresolvedOnly)
        {
            failures = failures.Where(f => f.ResolvedAtUtc == null);
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            var text = search.Trim().ToUpperInvariant();
            failures = failures.Where(f => f.SerialNumber.ToUpper().Contains(text) || f.Make.ToUpper().Contains(text) || f.Model.ToUpper().Contains(text));
        }

        return failures;
    }
}
