using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.Verification;

internal sealed class CertifiedModelConfiguration : IEntityTypeConfiguration<CertifiedModel>
{
    public void Configure(EntityTypeBuilder<CertifiedModel> builder)
    {
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Make).HasMaxLength(CertifiedModel.NameMaxLength).IsRequired();
        builder.Property(m => m.Model).HasMaxLength(CertifiedModel.NameMaxLength).IsRequired();
        builder.HasIndex(m => new { m.Make, m.Model }).IsUnique();
    }
}

internal sealed class ManufacturerKeyConfiguration : IEntityTypeConfiguration<ManufacturerKey>
{
    public void Configure(EntityTypeBuilder<ManufacturerKey> builder)
    {
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Make).HasMaxLength(CertifiedModel.NameMaxLength).IsRequired();
        builder.Property(k => k.KeyName).HasMaxLength(100).IsRequired();
        builder.Property(k => k.PublicKey).HasMaxLength(ManufacturerKey.KeyMaxLength).IsRequired();
        builder.HasIndex(k => new { k.Make, k.KeyName }).IsUnique();
    }
}

internal sealed class VerificationFailureConfiguration : IEntityTypeConfiguration<VerificationFailure>
{
    public void Configure(EntityTypeBuilder<VerificationFailure> builder)
    {
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Make).HasMaxLength(DeviceLimits.NameMaxLength).IsRequired();
        builder.Property(f => f.Model).HasMaxLength(DeviceLimits.NameMaxLength).IsRequired();
        builder.Property(f => f.SerialNumber).HasMaxLength(DeviceLimits.SerialMaxLength).IsRequired();
        builder.Property(f => f.FirmwareVersion).HasMaxLength(DeviceLimits.FirmwareMaxLength);
        builder.Property(f => f.SourceAddress).HasMaxLength(64);
        builder.Property(f => f.Reason).HasConversion<string>().HasMaxLength(40);
        builder.Property(f => f.ResolvedBy).HasMaxLength(256);
        builder.Property(f => f.ResolutionNote).HasMaxLength(500);
        builder.HasIndex(f => f.OccurredAtUtc);
        builder.HasIndex(f => new { f.SerialNumber, f.ResolvedAtUtc });
    }
}

internal sealed class ConsoleSessionConfiguration : IEntityTypeConfiguration<ConsoleSession>
{
    public void Configure(EntityTypeBuilder<ConsoleSession> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.TokenHash).HasMaxLength(64).IsRequired();
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.Property(s => s.Make).HasMaxLength(DeviceLimits.NameMaxLength).IsRequired();
        builder.Property(s => s.Model).HasMaxLength(DeviceLimits.NameMaxLength).IsRequired();
        builder.Property(s => s.SerialNumber).HasMaxLength(DeviceLimits.SerialMaxLength).IsRequired();
        builder.Property(s => s.DeviceKey).HasMaxLength(DeviceLimits.KeyMaxLength).IsRequired();
        builder.Property(s => s.FirmwareVersion).HasMaxLength(DeviceLimits.FirmwareMaxLength);
        builder.Property(s => s.SourceAddress).HasMaxLength(64);
        builder.Property(s => s.AgreementVersion).HasMaxLength(EndUserAgreement.VersionMaxLength);
        builder.HasIndex(s => s.ExpiresAtUtc);
        builder.HasIndex(s => new { s.DeviceKey, s.IssuedAtUtc });
    }
}
