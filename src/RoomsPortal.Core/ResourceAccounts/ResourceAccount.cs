using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Core.ResourceAccounts;

/// <summary>Where an account is in the console set-up flow.</summary>
public enum ProvisioningStatus
{
    None,
    OtpIssued,
    AwaitingOtpApproval,
    Provisioned,
}

/// <summary>The Teams Rooms resource account a console signs in with.</summary>
public sealed class ResourceAccount
{
    public const int UpnMaxLength = 256;
    public const int DisplayNameMaxLength = 256;
    public const int PasswordMaxLength = 256;

    public Guid Id { get; set; }

    public required string Upn { get; set; }

    /// <summary>Upper-case UPN: uniqueness and look-ups ignore case on every provider.</summary>
    public required string NormalizedUpn { get; set; }

    public required string DisplayName { get; set; }

    public Guid? RoomGroupId { get; set; }

    public RoomGroup? RoomGroup { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>The password, protected with Data Protection; never in clear, never logged.</summary>
    public string? ProtectedPassword { get; set; }

    public ProvisioningStatus ProvisioningStatus { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public static string Normalize(string upn) => upn.Trim().ToUpperInvariant();
}

internal sealed class ResourceAccountConfiguration : IEntityTypeConfiguration<ResourceAccount>
{
    public void Configure(EntityTypeBuilder<ResourceAccount> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Upn).HasMaxLength(ResourceAccount.UpnMaxLength).IsRequired();
        builder.Property(a => a.NormalizedUpn).HasMaxLength(ResourceAccount.UpnMaxLength).IsRequired();
        builder.HasIndex(a => a.NormalizedUpn).IsUnique();
        builder.Property(a => a.DisplayName).HasMaxLength(ResourceAccount.DisplayNameMaxLength).IsRequired();
        builder.Property(a => a.ProtectedPassword).HasMaxLength(2000);
        builder.Property(a => a.ProvisioningStatus).HasConversion<string>().HasMaxLength(32);
        builder.HasOne(a => a.RoomGroup).WithMany().HasForeignKey(a => a.RoomGroupId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(a => new { a.RoomGroupId, a.DisplayName });
    }
}
