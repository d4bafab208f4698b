using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Core.Users;

internal sealed class UserRoomGroupConfiguration : IEntityTypeConfiguration<UserRoomGroup>
{
    public void Configure(EntityTypeBuilder<UserRoomGroup> builder)
    {
        builder.ToTable("UserRoomGroups");
        builder.HasKey(a => new { a.UserId, a.RoomGroupId });
        builder.Property(a => a.UserId).HasMaxLength(450);
        builder.HasOne<PortalUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<RoomGroup>().WithMany().HasForeignKey(a => a.RoomGroupId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.RoomGroupId);
    }
}
