using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace RoomsPortal.Migrations.Sqlite;

#pragma warning disable EF1001 // The provider's connection class is EF Core's internal API; subclassed only to leave its SQL functions out.

/// <summary>
/// EF Core's SQLite connection without the SQL functions the provider adds to every connection: <c>regexp</c> (for
/// <c>Regex.IsMatch</c> in a query) and the <c>ef_*</c> functions and aggregates for <c>decimal</c> arithmetic and
/// comparison. Microsoft.Data.Sqlite registers a connection's functions again on every open, since a pooled open may
/// hand out another native connection: fifteen registrations, each allocating, before every unit of work and read.
/// In an allocation trace of the console path (`--consoles 4000`, pass 1) that was ~9 % of all the portal allocated.
/// The portal's model has no <c>decimal</c> property and no query matches a regular expression
/// (<c>PortalSqliteConnectionTests</c> holds the first; a query that needed one would fail with "no such function").
/// </summary>
public sealed class PortalSqliteConnection(
    RelationalConnectionDependencies dependencies,
    IRawSqlCommandBuilder rawSqlCommandBuilder,
    IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger)
    : SqliteRelationalConnection(dependencies, rawSqlCommandBuilder, logger)
{
    protected override DbConnection CreateDbConnection()
    {
        var connection = new SqliteConnection(GetValidatedConnectionString());
        if (CommandTimeout is { } timeout)
        {
            connection.DefaultTimeout = timeout;
        }

        return connection;
    }
}
#pragma warning restore EF1001
