using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Migrations.Sqlite;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.UnitsOfWork;

/// <summary>
/// SQLite takes one writer at a time. Units of work of one process queue for the database's writer gate instead of
/// colliding in BEGIN IMMEDIATE (where the loser waits in SQLite's busy handler, holding a thread, and then fails
/// busy). Always on a SQLite file, whichever provider the rest of the suite runs on: the gate is SQLite's.
/// </summary>
public sealed class SqliteWriterGateTests : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "roomsportal-tests", Guid.NewGuid().ToString("N"));
    private readonly BusyCounter _busy = new();

    [Fact]
    public async Task A_second_unit_of_work_waits_for_the_first_without_meeting_a_busy_database()
    {
        var factory = await CreateFactoryAsync();
        var firstInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondStarted = false;

        var first = factory.InTransactionAsync(async (db, token) =>
        {
            db.Add(AuditEntry.Create(DateTimeOffset.UnixEpoch, Admin, AuditCategory.Security, "Probe", "first"));
            await db.SaveChangesAsync(token);
            firstInside.SetResult();
            await releaseFirst.Task.WaitAsync(token);
            return 1;
        }, Ct);
        await firstInside.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var second = factory.InTransactionAsync(async (db, token) =>
        {
            secondStarted = true;
            db.Add(AuditEntry.Create(DateTimeOffset.UnixEpoch, Admin, AuditCategory.Security, "Probe", "second"));
            await db.SaveChangesAsync(token);
            return 2;
        }, Ct);

        Assert.False(secondStarted);
        releaseFirst.SetResult();
        Assert.Equal(1, await first);
        Assert.Equal(2, await second);
        Assert.Equal(0, _busy.Count);
        await using var check = factory.CreateDbContext();
        Assert.Equal(2, await check.Set<AuditEntry>().CountAsync(Ct));
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS clears the temp folder.
        }

        return ValueTask.CompletedTask;
    }

    private async Task<Factory> CreateFactoryAsync()
    {
        Directory.CreateDirectory(_directory);
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalSqlite($"Data Source={Path.Combine(_directory, "portal.db")};Pooling=False")
            .LogTo(_busy.Record, [CoreEventId.ExecutionStrategyRetrying]);
        var factory = new Factory(options.Options);
        await using var db = factory.CreateDbContext();
        await db.Database.MigrateAsync(Ct);
        return factory;
    }

    private sealed class Factory(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new(options);
    }

    /// <summary>Counts the execution strategy's retries (SQLite answered busy or locked once its busy timeout ran out).</summary>
    private sealed class BusyCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Record(string _) => Interlocked.Increment(ref _count);
    }
}
