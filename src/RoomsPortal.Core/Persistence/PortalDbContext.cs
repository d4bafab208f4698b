using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Core.Persistence;

/// <summary>
/// The portal's store. Provider-neutral: each provider keeps its own migrations project,
/// chosen when the context is registered.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : DbContext(options)
{
    public DbSet<RoomGroup> RoomGroups => Set<RoomGroup>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
    }
}
