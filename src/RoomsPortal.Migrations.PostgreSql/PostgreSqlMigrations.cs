using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Migrations.PostgreSql;

/// <summary>Registers the PostgreSQL provider with this assembly's migrations and retries on transient failures, as production runs it.</summary>
public static class PostgreSqlMigrations
{
    public static string AssemblyName => typeof(PostgreSqlMigrations).Assembly.GetName().Name!;

    public static DbContextOptionsBuilder UsePortalPostgreSql(this DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.UseNpgsql(connectionString, npgsql =>
        {
            npgsql.MigrationsAssembly(AssemblyName);
            npgsql.EnableRetryOnFailure();
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the context; it never connects.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalPostgreSql("Host=design-time;Database=roomsportal;Username=roomsportal");
        return new PortalDbContext(options.Options);
    }
}
