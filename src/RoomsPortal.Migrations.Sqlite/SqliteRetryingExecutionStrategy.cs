using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace RoomsPortal.Migrations.Sqlite;

/// <summary>
/// Retries a unit of work when SQLite reports the database busy or locked after its own busy timeout. Besides riding
/// out a long writer, it makes the embedded default behave like SQL Server and PostgreSQL with retries on: a
/// transaction opened outside the execution strategy is refused here too, so every test on SQLite catches it.
/// </summary>
public sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, MaxRetries, TimeSpan.FromSeconds(2))
{
    private const int MaxRetries = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    protected override bool ShouldRetryOn(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };
}
