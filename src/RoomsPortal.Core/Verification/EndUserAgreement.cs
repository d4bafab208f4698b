using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.Verification;

/// <summary>
/// One published version of the end user agreement a console's user accepts. Versions are never edited once they are
/// in effect (consoles accepted exactly that text); a new version replaces the current one from its effective date.
/// </summary>
public sealed class EndUserAgreement
{
    public const int VersionMaxLength = 32;
    public const int TextMaxLength = 20000;

    /// <summary>A version a console may send: present, at most <see cref="VersionMaxLength"/> characters, no control or format characters.</summary>
    public static bool IsValidVersion(string? version) =>
        !string.IsNullOrWhiteSpace(version) && version.Length <= VersionMaxLength && !ProtocolText.HasControlOrFormatCharacters(version);

    public Guid Id { get; set; }

    /// <summary>What consoles send back when they accept it (<c>POST /api/console/v1/agreement</c>).</summary>
    public required string Version { get; set; }

    public required string Text { get; set; }

    /// <summary>From when it is the current agreement.</summary>
    public DateTimeOffset EffectiveFrom { get; set; }

    public DateTimeOffset PublishedAt { get; set; }

    public required string PublishedBy { get; set; }
}

internal sealed class EndUserAgreementConfiguration : IEntityTypeConfiguration<EndUserAgreement>
{
    public void Configure(EntityTypeBuilder<EndUserAgreement> builder)
    {
        builder.ToTable("EndUserAgreements");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Version).HasMaxLength(EndUserAgreement.VersionMaxLength).IsRequired();
        builder.HasIndex(a => a.Version).IsUnique();
        builder.Property(a => a.Text).HasMaxLength(EndUserAgreement.TextMaxLength).IsRequired();
        builder.Property(a => a.PublishedBy).HasMaxLength(256).IsRequired();
        builder.HasIndex(a => a.EffectiveFrom);
    }
}
