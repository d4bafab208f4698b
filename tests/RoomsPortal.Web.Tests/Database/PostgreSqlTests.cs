using System.Net;
using Npgsql;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Database;

public sealed class PostgreSqlTests
{
    [Fact]
    public async Task Portal_migrates_a_new_PostgreSQL_database_and_reports_ready()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestPostgres.CreateDatabaseAsync(ct);
        await using var portal = new PortalFactory()
            .WithSetting("Database:Provider", "PostgreSql")
            .WithSetting("Database:ConnectionString", server.ConnectionString);
        using var client = portal.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select count(*) from \"__EFMigrationsHistory\"", connection);
        var applied = (long)(await command.ExecuteScalarAsync(ct))!;
        Assert.True(applied > 0, "the migrations were applied at start");
    }
}

/// <summary>A throw-away database on the PostgreSQL server that scripts/test.sh starts.</summary>
internal sealed class TestPostgres : IAsyncDisposable
{
    private const string Variable = "ROOMSPORTAL_TEST_POSTGRES";
    private readonly string _serverConnectionString;
    private readonly string _database;

    private TestPostgres(string serverConnectionString, string database)
    {
        _serverConnectionString = serverConnectionString;
        _database = database;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database, Pooling = false }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<TestPostgres> CreateDatabaseAsync(CancellationToken ct)
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set. Run the tests with scripts/test.sh, which starts PostgreSQL, " +
                $"or set {Variable} to a server connection string (Host=...;Username=...;Database=postgres).");
        }

        var database = "rp_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"create database \"{database}\"", connection);
        await command.ExecuteNonQueryAsync(ct);
        return new TestPostgres(server, database);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop database if exists \"{_database}\" with (force)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
