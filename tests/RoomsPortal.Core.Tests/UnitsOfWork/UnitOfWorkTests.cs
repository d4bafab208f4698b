using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Diagnostics;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.UnitsOfWork;

public sealed class UnitOfWorkTests
{
    [Fact]
    public async Task Provider_runs_with_a_retrying_strategy_that_refuses_transactions_opened_outside_it()
    {
        // The configuration every test of this suite runs under: any Core operation that opened its own transaction
        // outside UnitOfWork would throw this same error in its own test, as SQL Server did in production.
        await using var database = await TestDatabase.CreateAsync();
        await using var db = database.CreateDbContext();

        Assert.True(db.Database.CreateExecutionStrategy().RetriesOnFailure);
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        db.Add(AuditEntry.Create(DateTimeOffset.UnixEpoch, Admin, AuditCategory.Security, "Probe", "nothing"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
        Assert.Contains("does not support user-initiated transactions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Work_rolled_back_by_itself_is_not_committed()
    {
        await using var h = await CreateAsync();

        var result = await h.Database.InTransactionAsync(async (db, token) =>
        {
            db.Add(AuditEntry.Create(h.Time.GetUtcNow(), Admin, AuditCategory.Security, "Probe", "nothing"));
            await db.SaveChangesAsync(token);
            await db.Database.RollbackTransactionAsync(token);
            return 42;
        }, Ct);

        Assert.Equal(42, result);
        Assert.Equal(0, await h.AuditTotalAsync());
    }

    [Fact]
    public async Task Redemption_interrupted_by_a_transient_failure_is_retried_once_with_one_request_audit_and_event()
    {
        var failOnce = new TransientFailureOnce("INSERT INTO \"ApprovalRequest\" ");
        await using var h = await CreateAsync(failOnce);
        var (_, _, otp) = await h.OneOtpAsync();
        await h.ClearEventsAsync();
        failOnce.Arm();

        var result = await h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        Assert.True(result.Succeeded, result.Error.ToString());
        Assert.Equal(1, failOnce.Failures);
        await using (var db = h.Database.CreateDbContext())
        {
            var request = await db.Set<ApprovalRequest>().SingleAsync(Ct);
            Assert.Equal(result.Value!.RequestId, request.Id);
        }

        Assert.Equal(1, await h.AuditCountAsync(AuditOperations.OtpRedeemed));
        await h.DeliveredAsync();
        Assert.Single(h.Events.OfType<ApprovalRequestChanged>());
    }

    [Fact]
    public async Task On_SQLite_a_second_unit_of_work_queues_in_the_process_until_the_first_commits()
    {
        var begins = new TransactionBegins();
        await using var database = await TestDatabase.CreateAsync(begins);
        var migrations = begins.Count;
        var firstHolds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = database.InTransactionAsync(async (db, token) =>
        {
            db.Add(AuditEntry.Create(DateTimeOffset.UnixEpoch, Admin, AuditCategory.Security, "Probe", "first"));
            await db.SaveChangesAsync(token);
            firstHolds.SetResult();
            await release.Task.WaitAsync(token);
            return 1;
        }, Ct);
        await firstHolds.Task;

        var second = database.InTransactionAsync(async (db, token) =>
        {
            db.Add(AuditEntry.Create(DateTimeOffset.UnixEpoch, Admin, AuditCategory.Security, "Probe", "second"));
            await db.SaveChangesAsync(token);
            return 2;
        }, Ct);

        if (TestDatabase.Provider == TestProvider.Sqlite)
        {
            // SQLite has one writer per file: the second waits without asking SQLite for the lock (whose busy handler
            // would block this thread and sleep in steps up to 100 ms), and begins as soon as the first commits.
            Assert.False(second.IsCompleted);
            Assert.Equal(migrations + 1, begins.Count);
        }
        else
        {
            // PostgreSQL's writers of different rows do not exclude each other: nothing queues.
            Assert.Equal(2, await second);
            Assert.Equal(migrations + 2, begins.Count);
        }

        release.SetResult();
        Assert.Equal(1, await first);
        Assert.Equal(2, await second);
        Assert.Equal(migrations + 2, begins.Count);
        await using var check = database.CreateDbContext();
        Assert.Equal(2, await check.Set<AuditEntry>().CountAsync(a => a.Operation == "Probe", Ct));
    }

    [Fact]
    public async Task On_SQLite_a_writer_whose_turn_ends_while_another_waits_yields_its_thread()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var firstDb = database.CreateDbContext();
        await using var secondDb = database.CreateDbContext();

        var first = await SqliteWriters.EnterAsync(firstDb, Ct);
        if (TestDatabase.Provider != TestProvider.Sqlite)
        {
            // Only SQLite files have one writer: other providers' units of work are not queued.
            Assert.Null(first);
            return;
        }

        var waiting = SqliteWriters.EnterAsync(secondDb, Ct);
        Assert.False(waiting.IsCompleted);

        // The next writer has the turn, and its continuation is queued on this thread: the ending writer yields (does
        // not complete synchronously), so a pool thread would run the next writer before the rest of its own request.
        var ending = first!.DisposeAsync();
        Assert.False(ending.IsCompleted);
        await ending;
        var second = await waiting;
        Assert.NotNull(second);

        // Nobody waits now: the turn ends without giving up the thread.
        var last = second.DisposeAsync();
        Assert.True(last.IsCompleted);
        await last;
    }

    [Fact]
    public async Task On_SQLite_a_unit_of_work_records_its_wait_for_the_writer_turn_and_the_turn_it_held()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var probe = new WriterProbe();

        await database.InTransactionAsync(async (db, token) =>
        {
            db.Add(AuditEntry.Create(DateTimeOffset.UnixEpoch, Admin, AuditCategory.Security, "Probe", "timed"));
            return await db.SaveChangesAsync(token);
        }, Ct);

        if (TestDatabase.Provider == TestProvider.Sqlite)
        {
            // What an operator scrapes to see how busy the file's one writer is (docs/scale-out.md).
            Assert.Single(probe.Waits);
            Assert.True(Assert.Single(probe.Turns) > 0);
        }
        else
        {
            Assert.Empty(probe.Waits);
            Assert.Empty(probe.Turns);
        }
    }

    /// <summary>The writer-turn measurements made by this test's own flow (other tests' units of work are not counted).</summary>
    private sealed class WriterProbe : IDisposable
    {
        private static readonly AsyncLocal<WriterProbe?> Current = new();
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<double> _waits = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<double> _turns = new();

        public WriterProbe()
        {
            Current.Value = this;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                // By name: the instruments are published while PortalMetrics' fields are still being set.
                if (instrument.Meter.Name == PortalMetrics.MeterName && instrument.Name is PortalMetrics.SqliteWriterWaitName or PortalMetrics.SqliteWriterTurnName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            {
                if (ReferenceEquals(Current.Value, this))
                {
                    (instrument.Name == PortalMetrics.SqliteWriterTurnName ? _turns : _waits).Enqueue(value);
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<double> Waits => [.. _waits];

        public IReadOnlyList<double> Turns => [.. _turns];

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Counts transactions about to begin, before the provider is asked for one.</summary>
    private sealed class TransactionBegins : DbTransactionInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override InterceptionResult<DbTransaction> TransactionStarting(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
        {
            Interlocked.Increment(ref _count);
            return base.TransactionStarting(connection, eventData, result);
        }

        public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return base.TransactionStartingAsync(connection, eventData, result, cancellationToken);
        }
    }

    /// <summary>Fails the first matching command after <see cref="Arm"/> with the provider's transient error.</summary>
    private sealed class TransientFailureOnce(string sqlFragment) : DbCommandInterceptor
    {
        private int _armed;
        private int _failures;

        public int Failures => Volatile.Read(ref _failures);

        public void Arm() => Volatile.Write(ref _armed, 1);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains(sqlFragment, StringComparison.Ordinal) && Interlocked.CompareExchange(ref _armed, 0, 1) == 1)
            {
                Interlocked.Increment(ref _failures);
                throw TestDatabase.Provider == TestProvider.PostgreSql
                    ? new NpgsqlException("Simulated lost connection", new TimeoutException())
                    : new SqliteException("Simulated: database is locked", 5);
            }

            return ValueTask.FromResult(result);
        }
    }
}
