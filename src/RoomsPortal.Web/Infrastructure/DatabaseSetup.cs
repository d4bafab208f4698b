using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Migrations.PostgreSql;
using RoomsPortal.Migrations.Sqlite;
using RoomsPortal.Migrations.SqlServer;

namespace RoomsPortal.Web.Infrastructure;

internal static partial class DatabaseSetup
{
    public const string SqliteFileName = "roomsportal.db";

    /// <summary>
    /// Registers the context factory for the configured provider, read when first resolved. The factory pools its
    /// contexts: every console call and every page creates several short-lived contexts, and a new one costs a
    /// service scope, the lookup of EF's internal service provider (options compared extension by extension) and its
    /// dependencies resolved under the scope's lock (about a tenth of the portal's CPU in a profile of the
    /// redemption swarm, docs/benchmarks.md). <see cref="PortalDbContext"/> holds no state of its own; EF resets a
    /// returned context's tracker, transaction and connection before it lends it again. The pooled factory also registers
    /// the context itself per scope, leased from the same pool, for ASP.NET Core Identity's stores.
    /// </summary>
    public static IServiceCollection AddPortalDatabase(this IServiceCollection services)
    {
        services.AddPooledDbContextFactory<PortalDbContext>((sp, options) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            switch (database.Provider)
            {
                case DatabaseProvider.Sqlite:
                    options.UsePortalSqlite(SqliteConnectionString(sp, database));
                    break;
                case DatabaseProvider.SqlServer:
                    options.UsePortalSqlServer(database.ConnectionString!);
                    break;
                case DatabaseProvider.PostgreSql:
                    options.UsePortalPostgreSql(database.ConnectionString!);
                    break;
                default:
                    throw new InvalidOperationException($"Database:Provider {database.Provider} is not known.");
            }

            // A commit that wrote outbox rows wakes this node's notification dispatcher at once.
            options.AddInterceptors(sp.GetRequiredService<NotificationOutboxInterceptor>());
        });

        return services;
    }

    private static string SqliteConnectionString(IServiceProvider sp, DatabaseOptions database)
    {
        if (!string.IsNullOrWhiteSpace(database.ConnectionString))
        {
            return database.ConnectionString;
        }

        var dataDirectory = sp.GetRequiredService<DataDirectory>().Path;
        return $"Data Source={Path.Combine(dataDirectory, SqliteFileName)};Pooling=True";
    }

    /// <summary>Applies pending migrations before the portal takes requests.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        if (pending.Count > 0)
        {
            LogApplyingMigrations(app.Logger, pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} database migration(s): {Migrations}")]
    private static partial void LogApplyingMigrations(ILogger logger, int count, string migrations);
}
