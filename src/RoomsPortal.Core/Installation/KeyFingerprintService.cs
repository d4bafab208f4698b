using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Installation;

/// <summary>What <see cref="KeyFingerprintService.CheckAsync"/> found.</summary>
/// <param name="Recorded">Keys seen for the first time on this database (first start): their fingerprints are now recorded.</param>
/// <param name="Mismatched">Keys that are not the ones the database was written with.</param>
/// <param name="Accepted">True when the mismatched keys were accepted as a deliberate rotation and re-recorded (audited).</param>
public sealed record KeyCheckResult(IReadOnlyList<PortalKey> Recorded, IReadOnlyList<PortalKey> Mismatched, bool Accepted)
{
    /// <summary>The portal must not start: its keys do not match the data and no rotation was acknowledged.</summary>
    public bool MustStop => Mismatched.Count > 0 && !Accepted;
}

/// <summary>
/// Proves at start that the keys kept outside the database (OTP HMAC key, Data Protection key ring) are the ones the
/// data was written with. A portal started with lost keys would otherwise run healthy while answering every
/// outstanding code <c>otp_invalid</c> and every right manual-setup password <c>invalid_credentials</c>.
/// </summary>
public sealed class KeyFingerprintService(
    IDbContextFactory<PortalDbContext> dbFactory, IOtpKeyProvider otpKeys, IDataProtectionProvider dataProtection, TimeProvider time)
{
    private const string Purpose = "RoomsPortal.Installation.KeyFingerprint.v1";
    private const string Marker = "roomsportal-key-ring-marker";
    private static readonly byte[] OtpFingerprintText = Encoding.ASCII.GetBytes("roomsportal-otp-key-fingerprint");

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    /// <summary>
    /// Records missing fingerprints and compares the others. With <paramref name="acceptNewKeys"/>, mismatched keys
    /// are re-recorded and the rotation is written to the audit log in the same save; otherwise nothing changes for them.
    /// </summary>
    public async Task<KeyCheckResult> CheckAsync(bool acceptNewKeys, CancellationToken ct = default)
    {
        try
        {
            return await CheckOnceAsync(acceptNewKeys, ct);
        }
        catch (DbUpdateException)
        {
            // Two nodes started on a new database at once and the other recorded first: compare with what it wrote.
            return await CheckOnceAsync(acceptNewKeys, ct);
        }
    }

    /// <summary>An HMAC of a fixed text under the OTP key: tells keys apart without revealing anything about them.</summary>
    public static string OtpKeyFingerprint(byte[] key) =>
        Convert.ToHexString(HMACSHA256.HashData(key, OtpFingerprintText).AsSpan(0, 16));

    private async Task<KeyCheckResult> CheckOnceAsync(bool acceptNewKeys, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Set<KeyFingerprint>().ToDictionaryAsync(f => f.Key, ct);
        var now = time.GetUtcNow();
        var recorded = new List<PortalKey>();
        var mismatched = new List<PortalKey>();
        foreach (var key in Enum.GetValues<PortalKey>())
        {
            if (!stored.TryGetValue(key, out var fingerprint))
            {
                db.Add(new KeyFingerprint { Key = key, Value = NewValue(key), RecordedAt = now });
                recorded.Add(key);
            }
            else if (!Matches(fingerprint))
            {
                mismatched.Add(key);
                if (acceptNewKeys)
                {
                    fingerprint.Value = NewValue(key);
                    fingerprint.RecordedAt = now;
                }
            }
        }

        var accepted = acceptNewKeys && mismatched.Count > 0;
        if (accepted)
        {
            var names = string.Join(", ", mismatched);
            db.Add(AuditEntry.Create(now, Actor.System, AuditCategory.Security, AuditOperations.KeysReplaced, names,
                details: $"Started with Keys:AcceptNewKeys: new keys accepted for {names}. Codes issued and secrets stored with the old keys no longer work."));
        }

        if (recorded.Count > 0 || accepted)
        {
            await db.SaveChangesAsync(ct);
        }

        return new KeyCheckResult(recorded, mismatched, accepted);
    }

    private string NewValue(PortalKey key) => key switch
    {
        PortalKey.OtpHmacKey => OtpKeyFingerprint(otpKeys.GetKey()),
        PortalKey.DataProtection => _protector.Protect(Marker),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
    };

    private bool Matches(KeyFingerprint fingerprint) => fingerprint.Key switch
    {
        PortalKey.OtpHmacKey => CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(fingerprint.Value), Encoding.ASCII.GetBytes(OtpKeyFingerprint(otpKeys.GetKey()))),
        PortalKey.DataProtection => CanUnprotectMarker(fingerprint.Value),
        _ => false,
    };

    private bool CanUnprotectMarker(string value)
    {
        try
        {
            // Unprotect fails when the key that protected the marker is not in the ring: the ring was replaced.
            return _protector.Unprotect(value) == Marker;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
