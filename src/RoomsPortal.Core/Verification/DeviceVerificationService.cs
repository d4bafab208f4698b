using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Diagnostics;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Verification;

/// <summary>The outcome of a device verification: a console credential, or the recorded failure.</summary>
public sealed record DeviceVerificationResult(
    bool Succeeded,
    string? Token,
    DateTime? ExpiresAtUtc,
    Guid? SessionId,
    VerificationFailureReason? FailureReason,
    Guid? FailureId)
{
    public IReadOnlyList<string> Troubleshooting =>
        FailureReason is { } reason ? VerificationTroubleshooting.StepsFor(reason) : [];
}

/// <summary>
/// Proves that a console is a certified device (its make and model are in the catalog and its verification
/// information is signed by the manufacturer's registered key), and issues its short-lived credential.
/// </summary>
public sealed class DeviceVerificationService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>How long a console credential lasts; the SDK verifies again when it runs out.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(1);

    /// <summary>How often one console's verification failures may notify: a console that retries every few seconds
    /// would otherwise flood every channel, and the Verification failures page lists them all anyway.</summary>
    public static readonly TimeSpan FailureNotificationInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// How many <c>verification.failed</c> events one source address (an IPv6 one by its /64, <see cref="FailureSource"/>)
    /// may cause per <see cref="FailureNotificationInterval"/>,
    /// whatever consoles it claims to be: the per-console limit alone lets one noisy address (a script that makes up a new
    /// serial each time) grow the outbox and flood every channel without end. Its failures are still recorded and listed.
    /// </summary>
    public const int FailureNotificationsPerAddress = 5;

    /// <summary>
    /// Adds a <c>verification.failed</c> event unless the same console notified within the last hour, or its source
    /// address already caused <see cref="FailureNotificationsPerAddress"/> of them in that hour (failures without an
    /// address share one allowance). A check then an insert in the failure's own save: two failures at the same instant
    /// may both notify, which is harmless.
    /// </summary>
    private async Task AddFailureEventAsync(PortalDbContext db, string deviceKey, VerificationFailure failure, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var since = now - FailureNotificationInterval;
        var recent = db.Set<NotificationEvent>().AsNoTracking()
            .Where(e => e.Type == NotificationEventTypes.VerificationFailed && e.OccurredAt > since);
        var address = FailureSource(failure.SourceAddress);
        if (await recent.AnyAsync(e => e.DedupKey == deviceKey, ct)
            || await recent.CountAsync(e => e.SourceAddress == address, ct) >= FailureNotificationsPerAddress)
        {
            return;
        }

        await NotificationOutbox.AddAsync(db, NotificationEventTypes.VerificationFailed, null, null,
            new ConsoleSummary(failure.Make, failure.Model, failure.SerialNumber, failure.SourceAddress, failure.Reason.ToString(), FailureId: failure.Id),
            now, ct, deviceKey, address);
    }

    /// <summary>
    /// What the per-address allowance counts by: an IPv4 address (an IPv4-mapped IPv6 one as IPv4), and for IPv6 its
    /// /64 prefix (<c>2001:db8:1:2::/64</c>), since one subscriber's network routinely holds a whole /64 and a script
    /// could take a new address for every failure. Anything that is not an address counts as itself, cut to the column.
    /// </summary>
    internal static string? FailureSource(string? sourceAddress)
    {
        if (sourceAddress is null)
        {
            return null;
        }

        if (System.Net.IPAddress.TryParse(sourceAddress, out var ip))
        {
            if (ip.IsIPv4MappedToIPv6)
            {
                return ip.MapToIPv4().ToString();
            }

            if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                var bytes = ip.GetAddressBytes();
                Array.Clear(bytes, 8, 8);
                return new System.Net.IPAddress(bytes) + "/64";
            }
        }

        return sourceAddress.Length > NotificationEvent.SourceAddressMaxLength ? sourceAddress[..NotificationEvent.SourceAddressMaxLength] : sourceAddress;
    }

    public async Task<DeviceVerificationResult> VerifyAsync(
        DeviceIdentity device, string? verificationInfo, string? sourceAddress, CancellationToken ct = default)
    {
        using var span = PortalMetrics.Source.StartActivity("Verify device");
        var result = await VerifyOnceAsync(device, verificationInfo, sourceAddress, ct);
        PortalMetrics.Record(PortalMetrics.Verifications, span, "outcome", result.FailureReason?.ToString() ?? "verified");
        return result;
    }

    private async Task<DeviceVerificationResult> VerifyOnceAsync(
        DeviceIdentity device, string? verificationInfo, string? sourceAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(device);
        var now = time.GetUtcNow().UtcDateTime;
        var make = device.Make.Trim();
        var model = device.Model.Trim();
        var serial = device.SerialNumber.Trim();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var reason = await CheckAsync(db, make, model, serial, verificationInfo, ct);
        if (reason is { } failed)
        {
            var failure = new VerificationFailure
            {
                Id = Guid.NewGuid(),
                Make = make,
                Model = model,
                SerialNumber = serial,
                FirmwareVersion = device.FirmwareVersion?.Trim(),
                SourceAddress = sourceAddress,
                Reason = failed,
                OccurredAtUtc = now,
            };
            db.Set<VerificationFailure>().Add(failure);
            await AddFailureEventAsync(db, device.Key, failure, ct);
            await db.SaveChangesAsync(ct);
            return new DeviceVerificationResult(false, null, null, null, failed, failure.Id);
        }

        var token = NewToken();
        var key = device.Key;
        var session = new ConsoleSession
        {
            Id = Guid.NewGuid(),
            TokenHash = HashToken(token),
            Make = make,
            Model = model,
            SerialNumber = serial,
            DeviceKey = key,
            FirmwareVersion = device.FirmwareVersion?.Trim(),
            SourceAddress = sourceAddress,
            IssuedAtUtc = now,
            ExpiresAtUtc = now + SessionLifetime,
        };
        await dbFactory.InTransactionAsync(async (work, workCt) =>
        {
            // The agreement belongs to the console (make, model and serial), not to one credential: carry it over.
            var previousAgreement = await PreviousAgreementQuery(work, key, workCt);
            session.AgreementVersion = previousAgreement?.Version;
            session.AgreementAcceptedAtUtc = previousAgreement?.AcceptedAtUtc;
            // One live credential per console: the new one replaces every earlier one (a console that verifies again
            // has lost or renewed its credential; a copy of the old one must not stay usable). On SQLite this unit of
            // work holds the file's one writer turn, so a compiled look first sees what the update would, and most
            // verifications find nothing (a first setup, or a credential that ran out). Where writers run at once
            // (PostgreSQL, SQL Server), the update itself looks, so a verification committed meanwhile is still seen.
            var oneWriter = work.Database.ProviderName == PortalDbContext.SqliteProviderName;
            if (!oneWriter || await LiveSessionOfDeviceQuery(work, key, now, workCt))
            {
                await work.Set<ConsoleSession>()
                    .Where(s => s.DeviceKey == key && s.RevokedAtUtc == null && s.ExpiresAtUtc > now)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAtUtc, now), workCt);
            }

            work.Set<ConsoleSession>().Add(session);
            await work.SaveChangesAsync(workCt);
            // A console that now verifies was fixed: its earlier failures need no more helpdesk attention.
            if (oneWriter && !await OpenFailureQuery(work, serial, make, workCt))
            {
                return 0;
            }

            return await work.Set<VerificationFailure>()
                .Where(f => f.SerialNumber == serial && f.Make == make && f.ResolvedAtUtc == null)
                .ExecuteUpdateAsync(
                    f => f.SetProperty(x => x.ResolvedAtUtc, now)
                        .SetProperty(x => x.ResolvedBy, "system")
                        .SetProperty(x => x.ResolutionNote, "The console passed device verification later."),
                    workCt);
        }, ct);

        return new DeviceVerificationResult(true, token, session.ExpiresAtUtc, session.Id, null, null);
    }

    /// <summary>The live session a console token stands for, or null when unknown, expired or replaced by a newer one.</summary>
    public async Task<ConsoleSession?> FindSessionAsync(string token, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 200)
        {
            return null;
        }

        var hash = HashToken(token);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await LiveSessionQuery(db, hash, now, ct);
    }

    // The console path's reads, compiled once: every console call looks its credential up, every verification its
    // model, keys and earlier agreement, so none rebuilds and looks up its query's expression per call.
    private static readonly Func<PortalDbContext, string, DateTime, CancellationToken, Task<ConsoleSession?>> LiveSessionQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string hash, DateTime now, CancellationToken ct) => db.Set<ConsoleSession>().AsNoTracking()
            .FirstOrDefault(s => s.TokenHash == hash && s.ExpiresAtUtc > now && s.RevokedAtUtc == null));

    private static readonly Func<PortalDbContext, string, string, CancellationToken, Task<bool>> CertifiedQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string makeKey, string modelKey, CancellationToken ct) => db.Set<CertifiedModel>()
            .Any(m => m.Make.ToUpper() == makeKey && m.Model.ToUpper() == modelKey));

    private static readonly Func<PortalDbContext, string, IAsyncEnumerable<string>> KeysQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string makeKey) => db.Set<ManufacturerKey>()
            .Where(k => k.Make.ToUpper() == makeKey && !k.Revoked)
            .Select(k => k.PublicKey));

    private static readonly Func<PortalDbContext, string, CancellationToken, Task<AcceptedAgreement?>> PreviousAgreementQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string key, CancellationToken ct) => db.Set<ConsoleSession>()
            .Where(s => s.DeviceKey == key && s.AgreementAcceptedAtUtc != null)
            .OrderByDescending(s => s.IssuedAtUtc)
            .Select(s => new AcceptedAgreement(s.AgreementVersion, s.AgreementAcceptedAtUtc))
            .FirstOrDefault());

    private sealed record AcceptedAgreement(string? Version, DateTime? AcceptedAtUtc);

    private static readonly Func<PortalDbContext, string, DateTime, CancellationToken, Task<bool>> LiveSessionOfDeviceQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string key, DateTime now, CancellationToken ct) => db.Set<ConsoleSession>()
            .Any(s => s.DeviceKey == key && s.RevokedAtUtc == null && s.ExpiresAtUtc > now));

    private static readonly Func<PortalDbContext, string, string, CancellationToken, Task<bool>> OpenFailureQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string serial, string make, CancellationToken ct) => db.Set<VerificationFailure>()
            .Any(f => f.SerialNumber == serial && f.Make == make && f.ResolvedAtUtc == null));

    /// <summary>Whether one session is still live (neither expired nor replaced): a hub call's check, compiled once.</summary>
    public async Task<bool> IsLiveAsync(Guid sessionId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await LiveByIdQuery(db, sessionId, now, ct);
    }

    private static readonly Func<PortalDbContext, Guid, DateTime, CancellationToken, Task<bool>> LiveByIdQuery =
        EF.CompileAsyncQuery((PortalDbContext db, Guid id, DateTime now, CancellationToken ct) => db.Set<ConsoleSession>()
            .Any(s => s.Id == id && s.ExpiresAtUtc > now && s.RevokedAtUtc == null));

    /// <summary>Which of <paramref name="sessionIds"/> are still live (neither expired nor replaced by a newer credential).</summary>
    public async Task<IReadOnlySet<Guid>> LiveSessionsAsync(IReadOnlyCollection<Guid> sessionIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        var live = new HashSet<Guid>();
        if (sessionIds.Count == 0)
        {
            return live;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var chunk in sessionIds.Distinct().Chunk(500))
        {
            live.UnionWith(await db.Set<ConsoleSession>().AsNoTracking()
                .Where(s => chunk.Contains(s.Id) && s.ExpiresAtUtc > now && s.RevokedAtUtc == null)
                .Select(s => s.Id)
                .ToListAsync(ct));
        }

        return live;
    }

    internal static string HashToken(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string NewToken() =>
        "rpc_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<VerificationFailureReason?> CheckAsync(
        PortalDbContext db, string make, string model, string serial, string? verificationInfo, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(verificationInfo))
        {
            return VerificationFailureReason.VerificationInfoNotFound;
        }

        var makeKey = make.ToUpperInvariant();
        var modelKey = model.ToUpperInvariant();
        if (!await CertifiedQuery(db, makeKey, modelKey, ct))
        {
            return VerificationFailureReason.DeviceNotCertified;
        }

        var keys = await KeysQuery(db, makeKey).ToListAsync(ct);
        return keys.Any(k => DeviceStatement.Verify(k, verificationInfo, make, model, serial))
            ? null
            : VerificationFailureReason.VerificationInfoInvalid;
    }
}
