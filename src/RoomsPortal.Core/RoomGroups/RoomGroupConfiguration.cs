using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.RoomGroups;

internal sealed class RoomGroupConfiguration : IEntityTypeConfiguration<RoomGroup>
{
    public void Configure(EntityTypeBuilder<RoomGroup> builder)
    {
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Name).HasMaxLength(RoomGroup.NameMaxLength).IsRequired();
        builder.HasIndex(g => g.Name).IsUnique();
    }
}
