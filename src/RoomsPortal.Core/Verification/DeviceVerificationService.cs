using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
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

    public async Task<DeviceVerificationResult> VerifyAsync(
        DeviceIdentity device, string? verificationInfo, string? sourceAddress, CancellationToken ct = default)
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
            await db.SaveChangesAsync(ct);
            return new DeviceVerificationResult(false, null, null, null, failed, failure.Id);
        }

        var token = NewToken();
        var previousAgreement = await db.Set<ConsoleSession>()
            .Where(s => s.SerialNumber == serial && s.Make == make && s.AgreementAcceptedAtUtc != null)
            .OrderByDescending(s => s.IssuedAtUtc)
            .Select(s => new { s.AgreementVersion, s.AgreementAcceptedAtUtc })
            .FirstOrDefaultAsync(ct);
        var session = new ConsoleSession
        {
            Id = Guid.NewGuid(),
            TokenHash = HashToken(token),
            Make = make,
            Model = model,
            SerialNumber = serial,
            FirmwareVersion = device.FirmwareVersion?.Trim(),
            SourceAddress = sourceAddress,
            IssuedAtUtc = now,
            ExpiresAtUtc = now + SessionLifetime,
            AgreementVersion = previousAgreement?.AgreementVersion,
            AgreementAcceptedAtUtc = previousAgreement?.AgreementAcceptedAtUtc,
        };
        await dbFactory.InTransactionAsync(async (work, token) =>
        {
            work.Set<ConsoleSession>().Add(session);
            await work.SaveChangesAsync(token);
            // A console that now verifies was fixed: its earlier failures need no more helpdesk attention.
            return await work.Set<VerificationFailure>()
                .Where(f => f.SerialNumber == serial && f.Make == make && f.ResolvedAtUtc == null)
                .ExecuteUpdateAsync(
                    f => f.SetProperty(x => x.ResolvedAtUtc, now)
                        .SetProperty(x => x.ResolvedBy, "system")
                        .SetProperty(x => x.ResolutionNote, "The console passed device verification later."),
                    token);
        }, ct);

        return new DeviceVerificationResult(true, token, session.ExpiresAtUtc, session.Id, null, null);
    }

    /// <summary>The live session a console token stands for, or null when unknown or expired.</summary>
    public async Task<ConsoleSession?> FindSessionAsync(string token, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 200)
        {
            return null;
        }

        var hash = HashToken(token);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<ConsoleSession>().AsNoTracking()
            .FirstOrDefaultAsync(s => s.TokenHash == hash && s.ExpiresAtUtc > now, ct);
    }

    /// <summary>Records that the console's user accepted the end user agreement, audited under the console.</summary>
    public async Task AcceptAgreementAsync(Guid sessionId, string version, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var now = time.GetUtcNow();
        await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var session = await db.Set<ConsoleSession>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, token);
            if (session is null)
            {
                return false;
            }

            await db.Set<ConsoleSession>()
                .Where(s => s.Id == sessionId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.AgreementVersion, version).SetProperty(x => x.AgreementAcceptedAtUtc, now.UtcDateTime), token);
            db.Add(AuditEntry.Create(now, Actor.Console(session.SerialNumber), AuditCategory.Devices, AuditOperations.AgreementAccepted,
                session.SerialNumber, details: $"{session.Make} {session.Model} accepted the end user agreement {version} (before: {session.AgreementVersion ?? "none"})"));
            await db.SaveChangesAsync(token);
            return true;
        }, ct);
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
        var certified = await db.Set<CertifiedModel>()
            .AnyAsync(m => m.Make.ToUpper() == makeKey && m.Model.ToUpper() == modelKey, ct);
        if (!certified)
        {
            return VerificationFailureReason.DeviceNotCertified;
        }

        var keys = await db.Set<ManufacturerKey>()
            .Where(k => k.Make.ToUpper() == makeKey && !k.Revoked)
            .Select(k => k.PublicKey)
            .ToListAsync(ct);
        return keys.Any(k => DeviceStatement.Verify(k, verificationInfo, make, model, serial))
            ? null
            : VerificationFailureReason.VerificationInfoInvalid;
    }
}
