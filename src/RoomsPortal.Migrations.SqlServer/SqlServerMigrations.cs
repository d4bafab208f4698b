using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Migrations.SqlServer;

/// <summary>Registers the SQL Server provider with this assembly's migrations.</summary>
public static class SqlServerMigrations
{
    public static string AssemblyName => typeof(SqlServerMigrations).Assembly.GetName().Name!;

    public static DbContextOptionsBuilder UsePortalSqlServer(this DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.UseSqlServer(connectionString, sql =>
        {
            sql.MigrationsAssembly(AssemblyName);
            sql.EnableRetryOnFailure();
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the context; it never connects.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalSqlServer("Server=design-time;Database=RoomsPortal;Integrated Security=true;TrustServerCertificate=true");
        return new PortalDbContext(options.Options);
    }
}
