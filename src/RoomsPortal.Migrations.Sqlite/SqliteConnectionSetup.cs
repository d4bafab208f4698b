using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RoomsPortal.Migrations.Sqlite;

/// <summary>
/// Sets every SQLite connection up for concurrent use: write-ahead logging (readers and the writer no longer block
/// each other; the mode is stored in the file, so setting it again is a no-op) and a busy timeout, so a writer that
/// finds the database locked waits in SQLite's own handler for up to <see cref="BusyTimeoutMilliseconds"/> rather than
/// failing at once into Microsoft.Data.Sqlite's retry loop, which sleeps 150 ms a round.
/// </summary>
public sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public const int BusyTimeoutMilliseconds = 5000;

    // The timeout first: switching an older file to WAL may itself have to wait for another connection.
    private static readonly string Pragmas = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
