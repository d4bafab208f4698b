using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.Otps;

/// <summary>Where a run of the Generate OTP wizard stands.</summary>
public enum OtpRunState
{
    /// <summary>Chunks are being generated, or the codes are waiting to be shown.</summary>
    Generating,

    /// <summary>The wizard's Result step showed the codes it issued (all, or those issued before a chunk failed).</summary>
    Completed,

    /// <summary>The wizard closed before it showed the codes.</summary>
    Abandoned,
}

/// <summary>
/// One run of the Generate OTP wizard: one batch. Every OTP the run issues carries the run's id as its
/// <see cref="OneTimePassword.BatchId"/>, whichever chunk issued it. A run whose codes were never shown (abandoned, or
/// silent for <see cref="StaleAfter"/>) leaves its unused codes "issued but never shown" until they are issued again.
/// </summary>
public sealed class OtpRun
{
    /// <summary>
    /// A run still <see cref="OtpRunState.Generating"/> that made no progress for this long is treated as stopped: the
    /// wizard writes every chunk within seconds, and a closed circuit is disposed within minutes (Blazor keeps a
    /// disconnected circuit three minutes by default).
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    public Guid Id { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The actor id of who started it; only they add chunks or mark it shown.</summary>
    public required string CreatedBy { get; set; }

    public required string CreatedByName { get; set; }

    public OtpPasswordMode Mode { get; set; }

    /// <summary>How many accounts the run set out to issue codes for.</summary>
    public int AccountCount { get; set; }

    /// <summary>How many codes its chunks issued so far.</summary>
    public int IssuedCount { get; set; }

    public OtpRunState State { get; set; }

    /// <summary>The last chunk or state change: what <see cref="StaleAfter"/> is measured from.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the wizard's Result step rendered the codes.</summary>
    public DateTimeOffset? ShownAt { get; set; }
}

internal sealed class OtpRunConfiguration : IEntityTypeConfiguration<OtpRun>
{
    public void Configure(EntityTypeBuilder<OtpRun> builder)
    {
        builder.HasKey(r => r.Id);
        builder.Property(r => r.CreatedBy).HasMaxLength(256).IsRequired();
        builder.Property(r => r.CreatedByName).HasMaxLength(256).IsRequired();
        builder.Property(r => r.Mode).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => new { r.State, r.UpdatedAt });
    }
}
