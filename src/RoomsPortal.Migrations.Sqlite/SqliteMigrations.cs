using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Migrations.Sqlite;

/// <summary>Registers the SQLite provider with this assembly's migrations, its retrying execution strategy with one writer at a time, WAL and a busy timeout, and connections without the provider's SQL functions (<see cref="PortalSqliteConnection"/>).</summary>
public static class SqliteMigrations
{
    private static readonly SqliteConnectionSetup ConnectionSetup = new();

    public static string AssemblyName => typeof(SqliteMigrations).Assembly.GetName().Name!;

#pragma warning disable EF1001 // The provider's connection service is internal API: see PortalSqliteConnection.
    public static DbContextOptionsBuilder UsePortalSqlite(this DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options
            .UseSqlite(connectionString, sqlite =>
            {
                sqlite.MigrationsAssembly(AssemblyName);
                sqlite.ExecutionStrategy(dependencies => new SqliteRetryingExecutionStrategy(dependencies));
            })
            .AddInterceptors(ConnectionSetup)
            .ReplaceService<ISqliteRelationalConnection, PortalSqliteConnection>();
    }
#pragma warning restore EF1001
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the context without starting the portal.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalSqlite("Data Source=design-time.db");
        return new PortalDbContext(options.Options);
    }
}
