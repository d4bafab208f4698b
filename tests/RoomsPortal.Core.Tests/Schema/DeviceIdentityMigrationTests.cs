using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Verification;
using RoomsPortal.Migrations.Sqlite;

namespace RoomsPortal.Core.Tests.Schema;

/// <summary>
/// The DeviceIdentity migration moves the console key from the serial alone to make + model + serial and keeps the
/// rows: a database written before it is migrated with rows in it, on a real SQLite file.
/// </summary>
public sealed class DeviceIdentityMigrationTests : IDisposable
{
    private const string Before = "KeyFingerprints";
    private const string AccountId = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
    private const string OtpId = "1F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
    private const string DeviceId = "2F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
    private const string RequestId = "3F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
    private const string FailureId = "4F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
    private const string SessionId = "5F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "roomsportal-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Existing_rows_keep_their_data_and_get_make_model_and_serial_as_their_key()
    {
        await using var db = CreateContext();
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(Before, Ct);
        await InsertRowsWrittenBeforeAsync(db);

        await migrator.MigrateAsync(cancellationToken: Ct);

        var expected = DeviceInfo.KeyOf("Contoso", "RoomConsole 10", "sn-0001");
        var device = await db.Set<Device>().AsNoTracking().SingleAsync(Ct);
        var request = await db.Set<ApprovalRequest>().AsNoTracking().SingleAsync(Ct);
        var session = await db.Set<ConsoleSession>().AsNoTracking().SingleAsync(Ct);
        var failure = await db.Set<SetupFailure>().AsNoTracking().SingleAsync(Ct);
        Assert.Equal((expected, "sn-0001", "Contoso"), (device.DeviceKey, device.Serial, device.Make));
        Assert.Equal((expected, "sn-0001", ApprovalStatus.Approved), (request.DeviceKey, request.Serial, request.Status));
        Assert.Equal((expected, "2026-01"), (session.DeviceKey, session.AgreementVersion));
        Assert.Null(session.RevokedAtUtc);
        // No make or model was recorded with a failure: it keeps the serial it had, and still counts on the dashboard.
        Assert.Equal(("SN-0001", "Unknown"), (failure.DeviceKey, failure.Kind));
        Assert.False(db.Database.GetPendingMigrations().Any());
    }

    [Fact]
    public async Task Going_back_restores_the_serial_keys()
    {
        await using var db = CreateContext();
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(Before, Ct);
        await InsertRowsWrittenBeforeAsync(db);
        await migrator.MigrateAsync(cancellationToken: Ct);
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"SetupFailure\" (\"Id\", \"DeviceKey\", \"OccurredAt\", \"Kind\") VALUES ('6F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0', {0}, 0, 'Unknown')",
            [DeviceInfo.KeyOf("Contoso", "RoomConsole 10", "SN-0002")],
            Ct);

        await migrator.MigrateAsync(Before, Ct);

        Assert.Equal(["SN-0001"], await ColumnAsync(db, "SELECT \"SerialKey\" FROM \"Device\""));
        Assert.Equal(["SN-0001"], await ColumnAsync(db, "SELECT \"SerialKey\" FROM \"ApprovalRequest\""));
        Assert.Equal(["SN-0001", "SN-0002"], await ColumnAsync(db, "SELECT \"SerialKey\" FROM \"SetupFailure\" ORDER BY 1"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleared by the OS.
        }
    }

    private PortalDbContext CreateContext()
    {
        Directory.CreateDirectory(_directory);
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalSqlite($"Data Source={Path.Combine(_directory, "portal.db")};Pooling=False");
        return new PortalDbContext(options.Options);
    }

    /// <summary>Rows as the portal wrote them before the migration: the serial alone, upper case, was the key.</summary>
    private static async Task InsertRowsWrittenBeforeAsync(PortalDbContext db)
    {
        string[] statements =
        [
            $"INSERT INTO \"ResourceAccount\" (\"Id\", \"Upn\", \"NormalizedUpn\", \"DisplayName\", \"Enabled\", \"ProvisioningStatus\", \"CreatedAt\", \"UpdatedAt\") VALUES ('{AccountId}', 'room-1@contoso.com', 'ROOM-1@CONTOSO.COM', 'Room 1', 1, 'Provisioned', 0, 0)",
            $"INSERT INTO \"OneTimePassword\" (\"Id\", \"BatchId\", \"ResourceAccountId\", \"CodeHash\", \"CreatedAt\", \"ExpiresAt\", \"CreatedBy\") VALUES ('{OtpId}', '{OtpId}', '{AccountId}', 'hash', 0, 0, 'admin')",
            $"INSERT INTO \"Device\" (\"Id\", \"ResourceAccountId\", \"Make\", \"Model\", \"Serial\", \"SerialKey\", \"Method\", \"ProvisionedAt\") VALUES ('{DeviceId}', '{AccountId}', 'Contoso', 'RoomConsole 10', 'sn-0001', 'SN-0001', 'Otp', 0)",
            $"INSERT INTO \"ApprovalRequest\" (\"Id\", \"OtpId\", \"ResourceAccountId\", \"Serial\", \"SerialKey\", \"Make\", \"Model\", \"Status\", \"AutoApproved\", \"RequestedAt\", \"ExpiresAt\", \"DeviceId\") VALUES ('{RequestId}', '{OtpId}', '{AccountId}', 'sn-0001', 'SN-0001', 'Contoso', 'RoomConsole 10', 'Approved', 0, 0, 0, '{DeviceId}')",
            $"INSERT INTO \"SetupFailure\" (\"Id\", \"SerialKey\", \"OccurredAt\", \"Kind\") VALUES ('{FailureId}', 'SN-0001', 0, 'Unknown')",
            $"INSERT INTO \"ConsoleSession\" (\"Id\", \"TokenHash\", \"Make\", \"Model\", \"SerialNumber\", \"IssuedAtUtc\", \"ExpiresAtUtc\", \"AgreementVersion\", \"AgreementAcceptedAtUtc\") VALUES ('{SessionId}', 'AB', 'Contoso', 'RoomConsole 10', 'sn-0001', '2026-11-02 09:00:00', '2026-11-02 10:00:00', '2026-01', '2026-11-02 09:00:00')",
        ];
        foreach (var sql in statements)
        {
            await db.Database.ExecuteSqlRawAsync(sql, Ct);
        }
    }

    private static async Task<List<string>> ColumnAsync(PortalDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(Ct);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
