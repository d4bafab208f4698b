using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Verification;

/// <summary>Where an agreement version stands today.</summary>
public enum AgreementState
{
    /// <summary>What consoles must accept now.</summary>
    Current,

    /// <summary>Takes over from its effective date; can still be deleted.</summary>
    Scheduled,

    /// <summary>Was current once; a newer version replaced it.</summary>
    Superseded,
}

/// <summary>An agreement version as consoles and the settings page read it. <see cref="Id"/> is null for the built-in one.</summary>
public sealed record AgreementView(Guid? Id, string Version, string Text, DateTimeOffset EffectiveFrom, AgreementState State, string? PublishedBy)
{
    public bool IsBuiltIn => Id is null;
}

public enum AgreementError
{
    InvalidVersion,
    InvalidText,
    DuplicateVersion,
    NotFound,

    /// <summary>Only a version not yet in effect can be deleted: consoles may have accepted the others.</summary>
    NotScheduled,
}

/// <summary>Why a console's acceptance was refused.</summary>
public enum AcceptAgreementError
{
    /// <summary>Empty, too long, or with control or format characters.</summary>
    InvalidVersion,

    /// <summary>Not the current agreement's version: the console showed an old (or made-up) text.</summary>
    VersionMismatch,

    /// <summary>The credential is gone (expired or replaced) since the call was authenticated.</summary>
    CredentialNotFound,
}

/// <summary>
/// The end user agreement consoles accept: the built-in one until an administrator publishes a version, then the
/// published version whose effective date is the latest one reached. Every read of "the current agreement" (console
/// protocol, settings page) goes through <see cref="GetCurrentAsync"/>.
/// </summary>
public sealed class AgreementService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public const string VersionLabel = "The version";
    public const string TextLabel = "The agreement text";

    /// <summary>The agreement consoles accept while none is published.</summary>
    public static AgreementView BuiltIn { get; } = new(
        null,
        "2026-01",
        "Microsoft Teams Rooms on this console\n\n"
        + "This console will sign in to Microsoft Teams with a resource account of your organization. "
        + "By continuing you confirm that you are authorized by your organization's IT department to set up this console, "
        + "and that the console will be used in line with your organization's policies.\n\n"
        + "The portal records this console's make, model, serial number, firmware version and network address, "
        + "and the time you accepted this agreement, for your IT department.",
        DateTimeOffset.UnixEpoch,
        AgreementState.Current,
        null);

    /// <summary>The agreement consoles must accept now.</summary>
    public async Task<AgreementView> GetCurrentAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var current = await CurrentQuery(db, now, ct);
        return current is null ? BuiltIn : View(current, AgreementState.Current);
    }

    /// <summary>True when <paramref name="acceptedVersion"/> is the current agreement's version (read without its text).</summary>
    public async Task<bool> IsCurrentAsync(string? acceptedVersion, CancellationToken ct = default)
    {
        if (acceptedVersion is null)
        {
            return false;
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var current = await CurrentVersionQuery(db, now, ct) ?? BuiltIn.Version;
        return string.Equals(acceptedVersion, current, StringComparison.Ordinal);
    }

    /// <summary>
    /// Records that the user of the console holding credential <paramref name="sessionId"/> accepted
    /// <paramref name="version"/>, which must be the current agreement's, audited under the console in the same unit of
    /// work. Later credentials of the same console carry it over.
    /// </summary>
    public async Task<Result<AgreementView, AcceptAgreementError>> AcceptAsync(Guid sessionId, string? version, CancellationToken ct = default)
    {
        if (!EndUserAgreement.IsValidVersion(version))
        {
            return AcceptAgreementError.InvalidVersion;
        }

        var current = await GetCurrentAsync(ct);
        if (!string.Equals(version!.Trim(), current.Version, StringComparison.Ordinal))
        {
            return AcceptAgreementError.VersionMismatch;
        }

        var now = time.GetUtcNow();
        var accepted = await dbFactory.InTransactionAsync(async (db, token) =>
        {
            // Tracked: the acceptance is two columns of this row, saved with the audit entry in one SaveChanges.
            var session = await LiveSessionForUpdateQuery(db, sessionId, now.UtcDateTime, token);
            if (session is null)
            {
                return false;
            }

            var before = session.AgreementVersion;
            session.AgreementVersion = current.Version;
            session.AgreementAcceptedAtUtc = now.UtcDateTime;
            db.Add(AuditEntry.Create(now, Actor.Console(session.Make, session.Model, session.SerialNumber), AuditCategory.Devices,
                AuditOperations.AgreementAccepted, session.SerialNumber,
                details: $"{session.Make} {session.Model} accepted the end user agreement {current.Version} (before: {before ?? "none"})"));
            await db.SaveChangesAsync(token);
            return true;
        }, ct);
        return accepted ? current : AcceptAgreementError.CredentialNotFound;
    }

    // Every console accepts once, in its own unit of work: compiled once, tracked (the acceptance updates the row).
    private static readonly Func<PortalDbContext, Guid, DateTime, CancellationToken, Task<ConsoleSession?>> LiveSessionForUpdateQuery =
        EF.CompileAsyncQuery((PortalDbContext db, Guid id, DateTime now, CancellationToken ct) => db.Set<ConsoleSession>()
            .FirstOrDefault(s => s.Id == id && s.RevokedAtUtc == null && s.ExpiresAtUtc > now));

    /// <summary>Every published version, the latest effective date first.</summary>
    public async Task<IReadOnlyList<AgreementView>> ListAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var currentId = await InEffect(db, now).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);
        var all = await db.Set<EndUserAgreement>().AsNoTracking().ToListAsync(ct);
        return [.. all.OrderByDescending(a => a.EffectiveFrom).ThenByDescending(a => a.PublishedAt)
            .Select(a => View(a, a.Id == currentId ? AgreementState.Current : a.EffectiveFrom > now ? AgreementState.Scheduled : AgreementState.Superseded))];
    }

    /// <summary>
    /// Publishes a new version. An effective date now or earlier takes effect at once; a later one schedules it. The
    /// version is what consoles send back, so it must be new.
    /// </summary>
    public async Task<Result<AgreementView, AgreementError>> PublishAsync(
        string version, string text, DateTimeOffset effectiveFrom, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        version = version?.Trim() ?? string.Empty;
        text = text?.Trim() ?? string.Empty;
        if (CheckVersion(version) is not null)
        {
            return AgreementError.InvalidVersion;
        }

        if (CheckText(text) is not null)
        {
            return AgreementError.InvalidText;
        }

        var now = time.GetUtcNow();
        var effective = (effectiveFrom < now ? now : effectiveFrom).ToUniversalTime();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var upper = version.ToUpperInvariant();
        if (await db.Set<EndUserAgreement>().AnyAsync(a => a.Version.ToUpper() == upper, ct) || string.Equals(version, BuiltIn.Version, StringComparison.OrdinalIgnoreCase))
        {
            return AgreementError.DuplicateVersion;
        }

        var before = await InEffect(db, now).Select(a => a.Version).FirstOrDefaultAsync(ct) ?? $"{BuiltIn.Version} (built in)";
        var row = new EndUserAgreement
        {
            Id = Guid.NewGuid(),
            Version = version,
            Text = text,
            EffectiveFrom = effective,
            PublishedAt = now,
            PublishedBy = actor.DisplayName.Length > 256 ? actor.DisplayName[..256] : actor.DisplayName,
        };
        db.Add(row);
        db.Add(AuditEntry.Create(now, actor, AuditCategory.DeviceCatalog, AuditOperations.AgreementPublished, version,
            details: effective == now
                ? $"Current agreement {before} -> {version}, in effect at once ({text.Length} characters)"
                : $"Version {version} scheduled from {effective:yyyy-MM-dd HH:mm} UTC; current agreement stays {before} until then ({text.Length} characters)"));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return AgreementError.DuplicateVersion;
        }

        return View(row, effective > now ? AgreementState.Scheduled : AgreementState.Current);
    }

    /// <summary>Deletes a scheduled version (one not yet in effect).</summary>
    public async Task<Result<AgreementView, AgreementError>> DeleteAsync(Guid id, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var row = await db.Set<EndUserAgreement>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, token);
            if (row is null)
            {
                return Result<AgreementView, AgreementError>.Failure(AgreementError.NotFound);
            }

            if (await db.Set<EndUserAgreement>().Where(a => a.Id == id && a.EffectiveFrom > now).ExecuteDeleteAsync(token) == 0)
            {
                return AgreementError.NotScheduled;
            }

            db.Add(AuditEntry.Create(now, actor, AuditCategory.DeviceCatalog, AuditOperations.AgreementDeleted, row.Version,
                details: $"Version {row.Version} scheduled from {row.EffectiveFrom.UtcDateTime:yyyy-MM-dd HH:mm} UTC -> deleted before it took effect"));
            await db.SaveChangesAsync(token);
            return View(row, AgreementState.Scheduled);
        }, ct);
    }

    /// <summary>Why <paramref name="version"/> (trimmed) cannot name a version, or null when it can.</summary>
    public static string? CheckVersion(string? version) =>
        TextRules.CheckName(version?.Trim(), VersionLabel, EndUserAgreement.VersionMaxLength);

    /// <summary>Why <paramref name="text"/> (trimmed) cannot be an agreement, or null when it can.</summary>
    public static string? CheckText(string? text) =>
        TextRules.CheckNote(text?.Trim(), TextLabel, EndUserAgreement.TextMaxLength, required: true);

    // Every console reads the current agreement (its screen, its acceptance, its redemption): compiled once, so a call
    // does not rebuild and look up the query's expression each time.
    private static readonly Func<PortalDbContext, DateTimeOffset, CancellationToken, Task<EndUserAgreement?>> CurrentQuery =
        EF.CompileAsyncQuery((PortalDbContext db, DateTimeOffset now, CancellationToken ct) => db.Set<EndUserAgreement>().AsNoTracking()
            .Where(a => a.EffectiveFrom <= now).OrderByDescending(a => a.EffectiveFrom).ThenByDescending(a => a.PublishedAt).FirstOrDefault());

    private static readonly Func<PortalDbContext, DateTimeOffset, CancellationToken, Task<string?>> CurrentVersionQuery =
        EF.CompileAsyncQuery((PortalDbContext db, DateTimeOffset now, CancellationToken ct) => db.Set<EndUserAgreement>()
            .Where(a => a.EffectiveFrom <= now).OrderByDescending(a => a.EffectiveFrom).ThenByDescending(a => a.PublishedAt).Select(a => a.Version).FirstOrDefault());

    private static IQueryable<EndUserAgreement> InEffect(PortalDbContext db, DateTimeOffset now) =>
        db.Set<EndUserAgreement>().AsNoTracking().Where(a => a.EffectiveFrom <= now)
            .OrderByDescending(a => a.EffectiveFrom).ThenByDescending(a => a.PublishedAt);

    private static AgreementView View(EndUserAgreement a, AgreementState state) =>
        new(a.Id, a.Version, a.Text, a.EffectiveFrom, state, a.PublishedBy);
}
