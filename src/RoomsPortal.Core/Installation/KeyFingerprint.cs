using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.Installation;

/// <summary>The keys kept outside the database that the data in it depends on.</summary>
public enum PortalKey
{
    /// <summary>The HMAC key OTP codes are stored with: without it no outstanding code can be redeemed.</summary>
    OtpHmacKey,

    /// <summary>The Data Protection key ring: it decrypts stored sign-in data and sign-in cookies.</summary>
    DataProtection,
}

/// <summary>
/// What the database remembers of one key, recorded at first start: never the key itself, only proof of which key
/// it was (an HMAC of a fixed text for the OTP key; a marker protected with Data Protection for the key ring).
/// </summary>
public sealed class KeyFingerprint
{
    public const int ValueMaxLength = 1000;

    public PortalKey Key { get; set; }

    public required string Value { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

internal sealed class KeyFingerprintConfiguration : IEntityTypeConfiguration<KeyFingerprint>
{
    public void Configure(EntityTypeBuilder<KeyFingerprint> builder)
    {
        builder.ToTable("KeyFingerprints");
        builder.HasKey(f => f.Key);
        builder.Property(f => f.Key).HasConversion<string>().HasMaxLength(32);
        builder.Property(f => f.Value).HasMaxLength(KeyFingerprint.ValueMaxLength).IsRequired();
    }
}
