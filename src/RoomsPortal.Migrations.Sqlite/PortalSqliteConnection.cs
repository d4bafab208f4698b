using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Sqlite.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace RoomsPortal.Migrations.Sqlite;

#pragma warning disable EF1001 // The provider's connection class is EF Core's internal API; subclassed only to leave its SQL functions out.

/// <summary>
/// EF Core's SQLite connection without what the provider adds to every connection it creates for <c>decimal</c> and
/// regular expressions: seven functions (<c>regexp</c>, <c>ef_add</c>, <c>ef_compare</c>, ...), four aggregates
/// (<c>ef_sum</c>, ...) and the <c>EF_DECIMAL</c> collation. Microsoft.Data.Sqlite registers a connection's functions
/// on every open and removes them when a pooled connection is closed: twelve registrations and twelve removals, each
/// allocating, around every unit of work and read. In an allocation trace of the console path (`--consoles 4000`,
/// pass 1) that was ~9 % of all the portal allocated (docs/benchmarks.md).
/// The portal's model has no <c>decimal</c> and no query matches a regular expression: <c>SqliteSetupTests</c> checks
/// the model, and a query that needed one would fail with "no such function" or "no such collation sequence".
/// Written against EF Core 10.0 (`SqliteRelationalConnection.InitializeDbConnection`); <c>SqliteSetupTests</c> fails
/// on another version so that an upgrade compares this class with the provider's again.
/// </summary>
public sealed class PortalSqliteConnection : SqliteRelationalConnection
{
    private readonly int? _commandTimeout;
    private readonly bool _loadSpatialite;

    public PortalSqliteConnection(
        RelationalConnectionDependencies dependencies,
        IRawSqlCommandBuilder rawSqlCommandBuilder,
        IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger)
        : base(dependencies, rawSqlCommandBuilder, logger)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        // As the provider does: the options' values when the context was configured, not a later SetCommandTimeout.
        _commandTimeout = RelationalOptionsExtension.Extract(dependencies.ContextOptions).CommandTimeout;
        _loadSpatialite = dependencies.ContextOptions.FindExtension<SqliteOptionsExtension>()?.LoadSpatialite == true;
    }

    /// <summary>The EF Core version this class was compared with.</summary>
    public static Version ComparedWith { get; } = new(10, 0);

    protected override DbConnection CreateDbConnection()
    {
        var connection = new SqliteConnection(GetValidatedConnectionString());
        if (_loadSpatialite)
        {
            SpatialiteLoader.Load(connection);
        }

        if (_commandTimeout is { } timeout)
        {
            connection.DefaultTimeout = timeout;
        }

        return connection;
    }
}
#pragma warning restore EF1001
