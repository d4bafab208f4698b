using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Migrations.Sqlite;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Database;

/// <summary>The portal's SQLite database as deployed: write-ahead logging in the file, a busy timeout on each connection.</summary>
public sealed class SqliteSetupTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new PortalFactory().InProduction();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task The_portals_database_file_is_in_WAL_mode()
    {
        _ = _portal.Services;

        // A connection of its own, not the portal's: the journal mode is a property of the file.
        var file = Path.Combine(_portal.DataDirectory, "roomsportal.db");
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task The_portals_connections_wait_for_a_busy_database()
    {
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        await db.Database.OpenConnectionAsync(Ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA busy_timeout;";

        Assert.Equal((long)SqliteConnectionSetup.BusyTimeoutMilliseconds, (long)(await command.ExecuteScalarAsync(Ct))!);
    }

    [Theory]
    [InlineData("SELECT ef_compare(1, 2);")]
    [InlineData("SELECT regexp('a', 'a');")]
    public async Task The_portals_connections_carry_none_of_the_providers_sql_functions(string sql)
    {
        // Registered again on every open by Microsoft.Data.Sqlite when present (PortalSqliteConnection).
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        await db.Database.OpenConnectionAsync(Ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;

        var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteScalarAsync(Ct));
        Assert.Contains("no such function", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_model_has_no_decimal_that_would_need_the_providers_functions()
    {
        // SQLite keeps decimals as text, and EF Core compares, orders and adds them with its ef_* functions and the
        // EF_DECIMAL collation, which the portal's connections leave out: a decimal (on the database side, after any
        // value converter, also as a collection's element) needs PortalSqliteConnection to register them again.
        // A decimal computed in a query alone is caught by the suites, which all run on these connections.
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);

        static bool IsDecimal(Type? type) => type is not null && (Nullable.GetUnderlyingType(type) ?? type) == typeof(decimal);
        var decimals = db.Model.GetEntityTypes()
            .SelectMany(t => t.GetFlattenedProperties())
            .Where(p => IsDecimal(p.ClrType) || IsDecimal(p.GetValueConverter()?.ProviderClrType) || IsDecimal(p.GetProviderClrType())
                || IsDecimal(p.GetElementType()?.ClrType))
            .Select(p => $"{p.DeclaringType.DisplayName()}.{p.Name}");

        Assert.Empty(decimals);
    }

    [Fact]
    public void The_provider_is_the_version_the_connection_class_was_compared_with()
    {
        // PortalSqliteConnection leaves out part of the provider's connection set-up: on an EF Core upgrade, compare it
        // with SqliteRelationalConnection.InitializeDbConnection again, then move ComparedWith.
#pragma warning disable EF1001 // Reads the provider's assembly version only.
        var provider = typeof(Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal.SqliteRelationalConnection).Assembly.GetName().Version!;
#pragma warning restore EF1001

        Assert.Equal(PortalSqliteConnection.ComparedWith, new Version(provider.Major, provider.Minor));
    }
}
