using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Core.Persistence;

/// <summary>
/// The portal's store, local sign-in accounts included. Provider-neutral: each provider keeps its own
/// migrations project, chosen when the context is registered. Features add
/// <see cref="IEntityTypeConfiguration{TEntity}"/> classes in their folder; they are picked up here.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<RoomGroup> RoomGroups => Set<RoomGroup>();

    public DbSet<UserRoomGroup> UserRoomGroups => Set<UserRoomGroup>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
    }
}
