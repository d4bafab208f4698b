using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Migrations.Sqlite;

/// <summary>
/// Retries a unit of work when SQLite reports the database busy or locked after its own busy timeout. Besides riding
/// out a long writer, it makes the embedded default behave like SQL Server and PostgreSQL with retries on: a
/// transaction opened outside the execution strategy is refused here too, so every test on SQLite catches it.
/// SQLite takes one writer at a time: units of work of this process queue for <see cref="WriterGate"/> (one per
/// database file) before they begin, so they wait without a thread instead of in the busy handler.
/// </summary>
public sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, MaxRetries, TimeSpan.FromSeconds(2)), ISingleWriterStrategy
{
    private const int MaxRetries = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public SemaphoreSlim WriterGate => Gates.GetOrAdd(DatabaseFile(), _ => new SemaphoreSlim(1, 1));

    protected override bool ShouldRetryOn(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    private string DatabaseFile()
    {
        var connectionString = Dependencies.CurrentContext.Context.Database.GetConnectionString() ?? string.Empty;
        var source = new SqliteConnectionStringBuilder(connectionString).DataSource;
        return string.IsNullOrEmpty(source) || source == ":memory:" ? connectionString : Path.GetFullPath(source);
    }
}
