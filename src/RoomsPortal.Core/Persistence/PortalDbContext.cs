using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
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

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        base.ConfigureConventions(configurationBuilder);
        // SQLite has no date type and cannot compare or order DateTimeOffset; UTC ticks in an integer column can.
        // Other providers keep their native timestamp types. The model is cached per provider, so this is safe.
        if (Database.ProviderName == SqliteProviderName)
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        }
    }

    /// <summary>EF Core's name for the SQLite provider (<c>Database.ProviderName</c>).</summary>
    internal const string SqliteProviderName = "Microsoft.EntityFrameworkCore.Sqlite";

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
