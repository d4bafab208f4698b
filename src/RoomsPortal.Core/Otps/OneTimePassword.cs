using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Otps;

/// <summary>
/// An issued one-time password. Only an HMAC of the code is kept (<see cref="CodeHash"/>), keyed with a secret that
/// lives outside the database.
/// </summary>
public sealed class OneTimePassword
{
    public Guid Id { get; set; }

    /// <summary>The <see cref="OtpRun"/> that issued it (one row per run; batches from before runs have none).</summary>
    public Guid BatchId { get; set; }

    public Guid ResourceAccountId { get; set; }

    public ResourceAccount? ResourceAccount { get; set; }

    /// <summary>Hex HMAC-SHA256 of the normalized code.</summary>
    public required string CodeHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? RedeemedAt { get; set; }

    public string? RedeemedBySerial { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>When the <c>otp.expiring</c> notification was written for it (at most once per code).</summary>
    public DateTimeOffset? ExpiryNotifiedAt { get; set; }
}

internal sealed class OneTimePasswordConfiguration : IEntityTypeConfiguration<OneTimePassword>
{
    public void Configure(EntityTypeBuilder<OneTimePassword> builder)
    {
        builder.HasKey(o => o.Id);
        builder.Property(o => o.CodeHash).HasMaxLength(64).IsRequired();
        builder.HasIndex(o => o.CodeHash).IsUnique();
        builder.Property(o => o.CreatedBy).HasMaxLength(256).IsRequired();
        builder.Property(o => o.RedeemedBySerial).HasMaxLength(64);
        builder.HasOne(o => o.ResourceAccount).WithMany().HasForeignKey(o => o.ResourceAccountId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(o => new { o.ResourceAccountId, o.CreatedAt });
        builder.HasIndex(o => o.ExpiresAt);
        builder.HasIndex(o => o.BatchId);
    }
}
