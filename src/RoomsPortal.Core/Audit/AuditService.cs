using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Audit;

/// <summary>Filter of the audit page. ActorId matches exactly; Actor matches part of the actor's id or name.</summary>
public sealed record AuditQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    AuditCategory? Category = null,
    string? ActorId = null,
    string? Target = null,
    int Page = 1,
    int PageSize = 50,
    string? Actor = null);

/// <summary>Reads, exports and purges the audit log.</summary>
public sealed class AuditService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>How long entries are kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(180);

    public async Task<PagedResult<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (page, size) = Paging.Clamp(query.Page, query.PageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entries = Filter(db.Set<AuditEntry>().AsNoTracking(), query);
        var total = await entries.CountAsync(ct);
        var items = await entries.OrderByDescending(e => e.OccurredAt).ThenBy(e => e.Id).Skip((page - 1) * size).Take(size).ToListAsync(ct);
        return new PagedResult<AuditEntry>(items, total, page, size);
    }

    /// <summary>Entries from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive) as CSV, oldest first.</summary>
    public async Task<string> ExportCsvAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        await ExportCsvAsync(from, to, text, ct);
        return text.ToString();
    }

    /// <summary>
    /// The same CSV written to <paramref name="output"/> row by row as the database returns them, so an export of any
    /// size is never held in memory (the automation API streams it). Cells are formula-escaped (<see cref="CsvWriter.Escape"/>).
    /// </summary>
    public async Task ExportCsvAsync(DateTimeOffset from, DateTimeOffset to, TextWriter output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        // PostgreSQL's timestamptz takes UTC values only; callers may pass a local offset.
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entries = db.Set<AuditEntry>().AsNoTracking()
            .Where(e => e.OccurredAt >= from && e.OccurredAt < to)
            .OrderBy(e => e.OccurredAt)
            .AsAsyncEnumerable();
        await output.WriteAsync(CsvWriter.Row("time (UTC)", "category", "operation", "result", "actor id", "actor", "target", "details").AsMemory(), ct);
        await foreach (var e in entries.WithCancellation(ct))
        {
            await output.WriteAsync(CsvWriter.Row(
                e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                e.Category.ToString(), e.Operation, e.Result.ToString(), e.ActorId, e.ActorName, e.Target, e.Details).AsMemory(), ct);
        }
    }

    /// <summary>
    /// Appends one entry for an event that changes no other row (sign-in, sign-out). Operations that change data write
    /// their entry in their own transaction instead.
    /// </summary>
    public async Task RecordAsync(
        Actor actor, AuditCategory category, string operation, string target, AuditResult result, string? details = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(AuditEntry.Create(time.GetUtcNow(), actor, category, operation, target, result, details));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Deletes audit entries older than <see cref="Retention"/> and returns how many; failed-attempt counters
    /// (lockout, dashboard) older than the same retention go too.
    /// </summary>
    public async Task<int> PurgeAsync(CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow() - Retention;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Set<SetupFailure>().Where(f => f.OccurredAt < cutoff).ExecuteDeleteAsync(ct);
        return await db.Set<AuditEntry>().Where(e => e.OccurredAt < cutoff).ExecuteDeleteAsync(ct);
    }

    private static IQueryable<AuditEntry> Filter(IQueryable<AuditEntry> entries, AuditQuery query)
    {
        if (query.From?.ToUniversalTime() is { } from)
        {
            entries = entries.Where(e => e.OccurredAt >= from);
        }

        if (query.To?.ToUniversalTime() is { } to)
        {
            entries = entries.Where(e => e.OccurredAt < to);
        }

        if (query.Category is { } category)
        {
            entries = entries.Where(e => e.Category == category);
        }

        if (!string.IsNullOrWhiteSpace(query.ActorId))
        {
            entries = entries.Where(e => e.ActorId == query.ActorId);
        }

        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim().ToUpperInvariant();
            entries = entries.Where(e => e.ActorId.ToUpper().Contains(actor) || e.ActorName.ToUpper().Contains(actor));
        }

        if (!string.IsNullOrWhiteSpace(query.Target))
        {
            var target = query.Target.Trim();
            entries = entries.Where(e => e.Target.Contains(target));
        }

        return entries;
    }
}
