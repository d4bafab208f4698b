using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Migrations.Sqlite;

namespace RoomsPortal.MicroBench;

/// <summary>
/// What an open of a pooled SQLite connection costs: every unit of work and read of the portal opens one.
/// <c>PortalConnection</c> is the portal's context as configured (<c>UsePortalSqlite</c>, with
/// <c>PortalSqliteConnection</c>); <c>ProviderConnection</c> is the same with EF Core's own SQLite connection, whose
/// functions, aggregates and collation Microsoft.Data.Sqlite registers on every open and removes on every close.
/// </summary>
[MemoryDiagnoser]
public class SqliteOpenBenchmarks
{
    private string _directory = "";
    private PortalDbContext _portal = default!;
    private PortalDbContext _provider = default!;

    [GlobalSetup]
    public void Start()
    {
        _directory = Directory.CreateTempSubdirectory("roomsportal-microbench-").FullName;
        var file = Path.Combine(_directory, "open.db");
        var portal = new DbContextOptionsBuilder<PortalDbContext>();
        portal.UsePortalSqlite($"Data Source={file}");
        _portal = new PortalDbContext(portal.Options);
        var provider = new DbContextOptionsBuilder<PortalDbContext>();
        provider.UseSqlite($"Data Source={file}").AddInterceptors(new SqliteConnectionSetup());
        _provider = new PortalDbContext(provider.Options);
        OpenAndClose(_portal);
        OpenAndClose(_provider);
    }

    [GlobalCleanup]
    public void Stop()
    {
        _portal.Dispose();
        _provider.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void ProviderConnection() => OpenAndClose(_provider);

    [Benchmark]
    public void PortalConnection() => OpenAndClose(_portal);

    private static void OpenAndClose(PortalDbContext db)
    {
        db.Database.OpenConnection();
        db.Database.CloseConnection();
    }
}
