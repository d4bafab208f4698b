using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Migrations.Sqlite;

namespace RoomsPortal.Core.Tests.Support;

/// <summary>A fresh SQLite file per test, migrated like production, deleted afterwards.</summary>
public sealed class SqliteTestDatabase : IDbContextFactory<PortalDbContext>, IAsyncDisposable
{
    private readonly string _directory;

    private SqliteTestDatabase(string directory)
    {
        _directory = directory;
        FilePath = Path.Combine(directory, "portal.db");
        // Pooling off so the file can be deleted as soon as the test ends.
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalSqlite($"Data Source={FilePath};Pooling=False");
        Options = options.Options;
    }

    public string FilePath { get; }

    public DbContextOptions<PortalDbContext> Options { get; }

    public static async Task<SqliteTestDatabase> CreateAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "roomsportal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var database = new SqliteTestDatabase(directory);
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        return database;
    }

    public PortalDbContext CreateDbContext() => new(Options);

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on another thread; the temp folder is cleaned by the OS.
        }

        return ValueTask.CompletedTask;
    }
}
