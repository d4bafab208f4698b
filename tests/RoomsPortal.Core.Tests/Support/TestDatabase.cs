using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Migrations.PostgreSql;
using RoomsPortal.Migrations.Sqlite;

namespace RoomsPortal.Core.Tests.Support;

public enum TestProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// A fresh database per test, migrated and configured exactly as production configures its provider (retrying
/// execution strategy on). The provider comes from <c>ROOMSPORTAL_CORE_PROVIDER</c> (<c>Sqlite</c>, the default, or
/// <c>PostgreSql</c> on the server named by <c>ROOMSPORTAL_TEST_POSTGRES</c>); scripts/test.sh runs this suite on both.
/// </summary>
public sealed class TestDatabase : IDbContextFactory<PortalDbContext>, IAsyncDisposable
{
    private const string ProviderVariable = "ROOMSPORTAL_CORE_PROVIDER";
    private const string PostgresVariable = "ROOMSPORTAL_TEST_POSTGRES";
    private static readonly SemaphoreSlim PostgresGate = new(1, 1);
    private static string? _template;

    private readonly string? _directory;
    private readonly string? _postgresDatabase;

    private TestDatabase(string? directory, string? postgresDatabase, Action<DbContextOptionsBuilder> configure, IInterceptor[] interceptors)
    {
        _directory = directory;
        _postgresDatabase = postgresDatabase;
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        configure(options);
        if (interceptors.Length > 0)
        {
            options.AddInterceptors(interceptors);
        }

        Options = options.Options;
    }

    /// <summary>The provider this run of the suite uses.</summary>
    public static TestProvider Provider { get; } =
        Enum.TryParse<TestProvider>(Environment.GetEnvironmentVariable(ProviderVariable), ignoreCase: true, out var provider)
            ? provider
            : TestProvider.Sqlite;

    public DbContextOptions<PortalDbContext> Options { get; }

    /// <summary>The SQLite file, or null on PostgreSQL.</summary>
    public string? FilePath => _directory is null ? null : Path.Combine(_directory, "portal.db");

    public static async Task<TestDatabase> CreateAsync(params IInterceptor[] interceptors)
    {
        var ct = TestContext.Current.CancellationToken;
        TestDatabase database;
        if (Provider == TestProvider.PostgreSql)
        {
            var name = await CreatePostgresDatabaseAsync(ct);
            var connection = new NpgsqlConnectionStringBuilder(ServerConnectionString()) { Database = name, Pooling = true, MaxPoolSize = 60 };
            database = new TestDatabase(null, name, o => o.UsePortalPostgreSql(connection.ConnectionString), interceptors);
            return database;
        }

        var directory = Path.Combine(Path.GetTempPath(), "roomsportal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        // Pooling off so the file can be deleted as soon as the test ends.
        database = new TestDatabase(directory, null, o => o.UsePortalSqlite($"Data Source={Path.Combine(directory, "portal.db")};Pooling=False"), interceptors);
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync(ct);
        return database;
    }

    public PortalDbContext CreateDbContext() => new(Options);

    /// <summary>An open ADO.NET connection to this database, for checks that look past EF (the caller disposes it).</summary>
    public async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        DbConnection connection = Provider == TestProvider.PostgreSql
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString()) { Database = _postgresDatabase, Pooling = false }.ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={FilePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(ServerConnectionString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"drop database if exists \"{_postgresDatabase}\" with (force)", connection);
            await command.ExecuteNonQueryAsync();
            return;
        }

        try
        {
            Directory.Delete(_directory!, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on another thread; the temp folder is cleaned by the OS.
        }
    }

    private static string ServerConnectionString()
    {
        var server = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{ProviderVariable}=PostgreSql needs {PostgresVariable}: run the tests with scripts/test.sh, which starts PostgreSQL, " +
                $"or set {PostgresVariable} to a server connection string (Host=...;Username=...;Database=postgres).");
        }

        return server;
    }

    /// <summary>Copies a template migrated once per test run: CREATE DATABASE ... TEMPLATE is far cheaper than migrating each time.</summary>
    private static async Task<string> CreatePostgresDatabaseAsync(CancellationToken ct)
    {
        var name = "rp_core_" + Guid.NewGuid().ToString("N");
        await PostgresGate.WaitAsync(ct);
        try
        {
            await using var connection = new NpgsqlConnection(ServerConnectionString());
            await connection.OpenAsync(ct);
            if (_template is null)
            {
                var template = $"rp_core_template_{Environment.ProcessId}";
                await ExecuteAsync(connection, $"drop database if exists \"{template}\" with (force)", ct);
                await ExecuteAsync(connection, $"create database \"{template}\"", ct);
                var options = new DbContextOptionsBuilder<PortalDbContext>();
                options.UsePortalPostgreSql(new NpgsqlConnectionStringBuilder(ServerConnectionString()) { Database = template, Pooling = false }.ConnectionString);
                await using (var db = new PortalDbContext(options.Options))
                {
                    await db.Database.MigrateAsync(ct);
                }

                _template = template;
            }

            // Serialised: PostgreSQL refuses to copy a template while another session copies it.
            await ExecuteAsync(connection, $"create database \"{name}\" template \"{_template}\"", ct);
            return name;
        }
        finally
        {
            PostgresGate.Release();
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
