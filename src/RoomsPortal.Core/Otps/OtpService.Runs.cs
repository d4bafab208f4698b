using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Otps;

/// <summary>A wizard run as its page shows it. <see cref="UnseenCount"/> counts the caller's accounts only.</summary>
public sealed record OtpRunView(
    Guid Id,
    DateTimeOffset CreatedAt,
    string CreatedByName,
    OtpPasswordMode Mode,
    int AccountCount,
    int IssuedCount,
    OtpRunState State,
    DateTimeOffset? ShownAt,
    bool Stopped,
    int UnseenCount);

/// <summary>A code a run issued and never showed, still able to set a console up until it is issued again.</summary>
public sealed record UnseenCode(Guid OtpId, Guid RunId, Guid AccountId, string Upn, string DisplayName, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Runs of the Generate OTP wizard (ADR 0003): one batch across all its chunks, marked shown when the Result step
/// rendered the codes. A run that stops before that leaves its codes "issued but never shown", found here and issued
/// again with <see cref="OtpPasswordMode.KeepPasswords"/>, which revokes them.
/// </summary>
public sealed partial class OtpService
{
    /// <summary>Starts a run: the wizard passes its id with every chunk (<see cref="OtpBatchRequest.RunId"/>).</summary>
    public async Task<Guid> StartRunAsync(int accountCount, OtpPasswordMode mode, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        var run = new OtpRun
        {
            Id = Guid.NewGuid(),
            CreatedAt = now,
            CreatedBy = actor.Id,
            CreatedByName = actor.DisplayName,
            Mode = mode,
            AccountCount = accountCount,
            State = OtpRunState.Generating,
            UpdatedAt = now,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(run);
        db.Add(AuditEntry.Create(now, actor, AuditCategory.Otps, AuditOperations.OtpRunStarted, $"OTP run {run.Id}",
            details: $"{accountCount} account(s), {mode}"));
        await db.SaveChangesAsync(ct);
        return run.Id;
    }

    /// <summary>The wizard's Result step rendered the run's codes: they are no longer "never shown". False if not open.</summary>
    public Task<bool> MarkShownAsync(Guid runId, Actor actor, CancellationToken ct = default) =>
        CloseRunAsync(runId, OtpRunState.Completed, actor, ct);

    /// <summary>The wizard closed before it showed the codes: they are "issued but never shown" at once. False if not open.</summary>
    public Task<bool> AbandonRunAsync(Guid runId, Actor actor, CancellationToken ct = default) =>
        CloseRunAsync(runId, OtpRunState.Abandoned, actor, ct);

    private async Task<bool> CloseRunAsync(Guid runId, OtpRunState state, Actor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        DateTimeOffset? shownAt = state == OtpRunState.Completed ? now : null;
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var run = await db.Set<OtpRun>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, token);
            var closed = run is null ? 0 : await db.Set<OtpRun>()
                .Where(r => r.Id == runId && r.CreatedBy == actor.Id && r.State == OtpRunState.Generating)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.State, state).SetProperty(x => x.ShownAt, shownAt).SetProperty(x => x.UpdatedAt, now), token);
            if (closed == 0)
            {
                return false;
            }

            db.Add(AuditEntry.Create(now, actor, AuditCategory.Otps,
                state == OtpRunState.Completed ? AuditOperations.OtpRunShown : AuditOperations.OtpRunAbandoned, $"OTP run {runId}",
                details: state == OtpRunState.Completed
                    ? $"{run!.IssuedCount} of {run.AccountCount} code(s) shown"
                    : $"closed before its {run!.IssuedCount} code(s) were shown"));
            await db.SaveChangesAsync(token);
            return true;
        }, ct);
    }

    /// <summary>A run, if any of its codes is for an account in scope (or the scope is unrestricted).</summary>
    public async Task<OtpRunView?> GetRunAsync(Guid runId, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Set<OtpRun>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null)
        {
            return null;
        }

        var accounts = ResourceAccountService.Scoped(db, scope);
        if (!scope.IsUnrestricted && !await db.Set<OneTimePassword>().AnyAsync(o => o.BatchId == runId && accounts.Any(a => a.Id == o.ResourceAccountId), ct))
        {
            return null;
        }

        var unseen = await UnseenCodes(db, now).CountAsync(o => o.BatchId == runId && accounts.Any(a => a.Id == o.ResourceAccountId), ct);
        return View(run, now, unseen);
    }

    /// <summary>The runs with codes never shown for accounts in scope, newest first (the Resource Accounts banner).</summary>
    public async Task<IReadOnlyList<OtpRunView>> ListRunsWithUnseenCodesAsync(AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var accounts = ResourceAccountService.Scoped(db, scope);
        var counts = await UnseenCodes(db, now)
            .Where(o => accounts.Any(a => a.Id == o.ResourceAccountId))
            .GroupBy(o => o.BatchId)
            .Select(g => new { RunId = g.Key, Count = g.Count() })
            .ToListAsync(ct);
        var ids = counts.Select(c => c.RunId).ToList();
        var runs = await db.Set<OtpRun>().AsNoTracking().Where(r => ids.Contains(r.Id)).ToListAsync(ct);
        return [.. runs.Select(r => View(r, now, counts.Single(c => c.RunId == r.Id).Count)).OrderByDescending(r => r.CreatedAt)];
    }

    /// <summary>The codes never shown for accounts in scope, of one run or all, by display name.</summary>
    public async Task<IReadOnlyList<UnseenCode>> ListUnseenCodesAsync(Guid? runId, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var codes = UnseenCodes(db, now);
        if (runId is { } id)
        {
            codes = codes.Where(o => o.BatchId == id);
        }

        var rows = await codes
            .Join(ResourceAccountService.Scoped(db, scope), o => o.ResourceAccountId, a => a.Id, (o, a) => new UnseenCode(
                o.Id, o.BatchId, a.Id, a.Upn, a.DisplayName, o.CreatedAt, o.ExpiresAt))
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => r.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Upn, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Codes issued but never shown: still usable (not redeemed, revoked or expired) and issued by a run that closed
    /// without showing them, or that made no progress for <see cref="OtpRun.StaleAfter"/> (a killed process never closes
    /// its run). Issuing the account a new code revokes it, which takes it off this list.
    /// </summary>
    internal static IQueryable<OneTimePassword> UnseenCodes(PortalDbContext db, DateTimeOffset now)
    {
        var quietSince = now - OtpRun.StaleAfter;
        return from o in db.Set<OneTimePassword>()
               join r in db.Set<OtpRun>() on o.BatchId equals r.Id
               where (r.State == OtpRunState.Abandoned || (r.State == OtpRunState.Generating && r.UpdatedAt <= quietSince))
                   && o.RedeemedAt == null && o.RevokedAt == null && o.ExpiresAt > now
               select o;
    }

    private static OtpRunView View(OtpRun run, DateTimeOffset now, int unseen) => new(
        run.Id, run.CreatedAt, run.CreatedByName, run.Mode, run.AccountCount, run.IssuedCount, run.State, run.ShownAt,
        run.State == OtpRunState.Abandoned || (run.State == OtpRunState.Generating && run.UpdatedAt <= now - OtpRun.StaleAfter),
        unseen);
}
