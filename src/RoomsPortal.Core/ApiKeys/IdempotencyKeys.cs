using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.ApiKeys;

/// <summary>An <c>Idempotency-Key</c> an API caller sent with a call that issues something, and what it issued.</summary>
public sealed class IdempotencyRecord
{
    public const int KeyMaxLength = 128;

    public Guid Id { get; set; }

    /// <summary>Who sent it (the API key's actor id): keys of different callers never collide.</summary>
    public required string CallerId { get; set; }

    public required string Key { get; set; }

    /// <summary>What the call issued (an OTP batch), or null while it runs or after it failed.</summary>
    public Guid? ResultId { get; set; }

    /// <summary>
    /// SHA-256 of what the call asked for (<see cref="IdempotencyKeys.Fingerprint"/>), so the same key sent with a
    /// different request is told so instead of being answered with the first request's result.
    /// </summary>
    public byte[]? RequestHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("IdempotencyRecords");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.CallerId).HasMaxLength(256).IsRequired();
        builder.Property(r => r.Key).HasMaxLength(IdempotencyRecord.KeyMaxLength).IsRequired();
        builder.HasIndex(r => new { r.CallerId, r.Key }).IsUnique();
        builder.Property(r => r.RequestHash).HasMaxLength(32);
        builder.HasIndex(r => r.CreatedAt);
    }
}

/// <summary>
/// The outcome of reserving a key: either this call may go ahead, or an earlier call with it did (or is running);
/// <see cref="DifferentRequest"/> when that earlier call asked for something else.
/// </summary>
public sealed record IdempotencyReservation(Guid? ReservationId, Guid? EarlierResultId, bool DifferentRequest = false)
{
    public bool MayProceed => ReservationId is not null;
}

/// <summary>
/// Makes a retried call that issues codes never issue twice: the first call reserves its key (a unique index decides
/// between racing retries), then records what it issued; a retry finds the reservation and is told what the first one
/// issued instead of issuing again. A call that fails releases its key so the caller can retry it. A key is kept for
/// <see cref="Retention"/> (as Stripe keeps them), then forgotten: reserving purges the ones older than that.
/// </summary>
public sealed class IdempotencyKeys(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>How long a key is remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>
    /// The fingerprint of a request from the parts that say what it asks for. Callers leave secrets out (a fast hash
    /// of a password in the database could be guessed offline); the parts are length-prefixed so no two lists collide.
    /// </summary>
    public static byte[] Fingerprint(IEnumerable<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(part);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>True when <paramref name="key"/> can be an Idempotency-Key: 1 to 128 visible ASCII characters.</summary>
    public static bool IsValid(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= IdempotencyRecord.KeyMaxLength && key.All(c => c is > ' ' and < (char)127);

    public async Task<IdempotencyReservation> ReserveAsync(string callerId, string key, byte[] requestHash, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requestHash);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var forgotten = now - Retention;
        await db.Set<IdempotencyRecord>().Where(r => r.CreatedAt < forgotten).ExecuteDeleteAsync(ct);
        var record = new IdempotencyRecord { Id = Guid.NewGuid(), CallerId = callerId, Key = key, RequestHash = requestHash, CreatedAt = now };
        db.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
            return new IdempotencyReservation(record.Id, null);
        }
        catch (DbUpdateException)
        {
            await using var read = await dbFactory.CreateDbContextAsync(ct);
            var earlier = await read.Set<IdempotencyRecord>().AsNoTracking()
                .Where(r => r.CallerId == callerId && r.Key == key).Select(r => new { r.ResultId, r.RequestHash }).FirstOrDefaultAsync(ct);
            var different = earlier?.RequestHash is { } hash && !hash.AsSpan().SequenceEqual(requestHash);
            return new IdempotencyReservation(null, different ? null : earlier?.ResultId, different);
        }
    }

    public async Task CompleteAsync(Guid reservationId, Guid resultId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Set<IdempotencyRecord>().Where(r => r.Id == reservationId).ExecuteUpdateAsync(s => s.SetProperty(r => r.ResultId, resultId), ct);
    }

    public async Task ReleaseAsync(Guid reservationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Set<IdempotencyRecord>().Where(r => r.Id == reservationId).ExecuteDeleteAsync(ct);
    }
}
