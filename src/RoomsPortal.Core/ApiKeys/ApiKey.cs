using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.ApiKeys;

/// <summary>
/// A key a script calls the automation API with. The key itself is shown once; the database keeps its public
/// <see cref="Prefix"/> (to find the row) and the SHA-256 of the whole key, never the key.
/// </summary>
public sealed class ApiKey
{
    public const int NameMaxLength = 100;
    public const int RoleMaxLength = 64;
    public const int NetworksMaxLength = 1000;

    public Guid Id { get; set; }

    public required string Name { get; set; }

    /// <summary><c>rpk_</c> and 8 random characters: the first part of the key, unique, safe to show.</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the whole key (UTF-8).</summary>
    public required byte[] SecretHash { get; set; }

    /// <summary>The portal role the key acts with (a value of the Web project's PortalRoles).</summary>
    public required string Role { get; set; }

    /// <summary>Room group ids the role applies to, comma separated; empty for a role that is not scoped.</summary>
    public string RoomGroupIds { get; set; } = string.Empty;

    /// <summary>Networks (CIDR, comma separated) calls may come from; empty for any.</summary>
    public string AllowedNetworks { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedById { get; set; }

    public required string CreatedByName { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public string? LastUsedFrom { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength).IsRequired();
        builder.Property(k => k.Prefix).HasMaxLength(ApiKeyFormat.PrefixLength).IsRequired();
        builder.HasIndex(k => k.Prefix).IsUnique();
        builder.Property(k => k.SecretHash).HasMaxLength(32).IsRequired();
        builder.Property(k => k.Role).HasMaxLength(ApiKey.RoleMaxLength).IsRequired();
        builder.Property(k => k.RoomGroupIds).HasMaxLength(40 * 100).IsRequired();
        builder.Property(k => k.AllowedNetworks).HasMaxLength(ApiKey.NetworksMaxLength).IsRequired();
        builder.Property(k => k.CreatedById).HasMaxLength(256).IsRequired();
        builder.Property(k => k.CreatedByName).HasMaxLength(256).IsRequired();
        builder.Property(k => k.LastUsedFrom).HasMaxLength(64);
    }
}
