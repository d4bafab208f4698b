using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core.Tests.Verification;

public sealed class DeviceVerificationServiceTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly ECDsa _manufacturer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _fabrikam = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly CommandLog _commands = new();
    private TestDatabase _database = default!;
    private DeviceVerificationService _service = default!;
    private AgreementService _agreements = default!;

    private static DeviceIdentity Console10 => new("Contoso", "RoomConsole 10", "SN-0001", "1.4.2");

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(_commands);
        var catalog = new DeviceCatalogService(_database, _time);
        await catalog.AddCertifiedModelAsync("Contoso", "RoomConsole 10", RoomsPortal.Core.Common.Actor.User("admin-1", "Ada Admin"), TestContext.Current.CancellationToken);
        await catalog.AddManufacturerKeyAsync(
            "Contoso", "factory-2026", Convert.ToBase64String(_manufacturer.ExportSubjectPublicKeyInfo()), RoomsPortal.Core.Common.Actor.User("admin-1", "Ada Admin"), TestContext.Current.CancellationToken);
        await catalog.AddCertifiedModelAsync("Fabrikam", "Board 20", RoomsPortal.Core.Common.Actor.User("admin-1", "Ada Admin"), TestContext.Current.CancellationToken);
        await catalog.AddManufacturerKeyAsync(
            "Fabrikam", "factory-2026", Convert.ToBase64String(_fabrikam.ExportSubjectPublicKeyInfo()), RoomsPortal.Core.Common.Actor.User("admin-1", "Ada Admin"), TestContext.Current.CancellationToken);
        _service = new DeviceVerificationService(_database, _time);
        _agreements = new AgreementService(_database, _time);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    public void Dispose()
    {
        _manufacturer.Dispose();
        _fabrikam.Dispose();
    }

    [Fact]
    public async Task Certified_console_with_a_valid_statement_gets_a_credential()
    {
        var result = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), "127.0.0.1", TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.StartsWith("rpc_", result.Token, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().UtcDateTime + DeviceVerificationService.SessionLifetime, result.ExpiresAtUtc);
        var session = await _service.FindSessionAsync(result.Token!, TestContext.Current.CancellationToken);
        Assert.NotNull(session);
        Assert.Equal("SN-0001", session.SerialNumber);
    }

    [Fact]
    public async Task Make_and_model_match_the_catalog_whatever_their_case()
    {
        var device = Console10 with { Make = "CONTOSO", Model = "roomconsole 10" };

        var result = await _service.VerifyAsync(device, Sign(_manufacturer, device), null, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Missing_verification_info_is_recorded_as_not_found_with_the_ingest_module_steps()
    {
        var result = await _service.VerifyAsync(Console10, null, "10.1.2.3", TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(VerificationFailureReason.VerificationInfoNotFound, result.FailureReason);
        Assert.Contains(result.Troubleshooting, s => s.Contains("HDMI ingest module", StringComparison.Ordinal));
        Assert.Contains(result.Troubleshooting, s => s.Contains("manufacturer or the seller", StringComparison.Ordinal));
        var failure = await SingleFailureAsync();
        Assert.Equal(("Contoso", "RoomConsole 10", "SN-0001", "1.4.2", "10.1.2.3"),
            (failure.Make, failure.Model, failure.SerialNumber, failure.FirmwareVersion, failure.SourceAddress));
        Assert.Equal(_time.GetUtcNow().UtcDateTime, failure.OccurredAtUtc);
        Assert.Null(failure.ResolvedAtUtc);
    }

    [Fact]
    public async Task Model_outside_the_catalog_is_not_certified_even_with_a_valid_signature()
    {
        var device = Console10 with { Model = "RoomConsole 99" };

        var result = await _service.VerifyAsync(device, Sign(_manufacturer, device), null, TestContext.Current.CancellationToken);

        Assert.Equal(VerificationFailureReason.DeviceNotCertified, result.FailureReason);
        Assert.Equal(VerificationFailureReason.DeviceNotCertified, (await SingleFailureAsync()).Reason);
    }

    [Theory]
    [InlineData("other-key")]
    [InlineData("other-serial")]
    [InlineData("garbage")]
    public async Task Statement_that_does_not_check_out_is_invalid(string tamper)
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var statement = tamper switch
        {
            "other-key" => Sign(otherKey, Console10),
            "other-serial" => Sign(_manufacturer, Console10 with { SerialNumber = "SN-0002" }),
            _ => "not-a-signature!",
        };

        var result = await _service.VerifyAsync(Console10, statement, null, TestContext.Current.CancellationToken);

        Assert.Equal(VerificationFailureReason.VerificationInfoInvalid, result.FailureReason);
        Assert.Null(result.Token);
    }

    [Fact]
    public async Task Later_success_resolves_the_devices_earlier_failures_only()
    {
        var ct = TestContext.Current.CancellationToken;
        await _service.VerifyAsync(Console10, null, null, ct);
        await _service.VerifyAsync(Console10 with { SerialNumber = "SN-OTHER" }, null, null, ct);
        _time.Advance(TimeSpan.FromMinutes(3));

        var result = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);

        Assert.True(result.Succeeded);
        await using var db = _database.CreateDbContext();
        var failures = await db.Set<VerificationFailure>().OrderBy(f => f.SerialNumber).ToListAsync(ct);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, failures.Single(f => f.SerialNumber == "SN-0001").ResolvedAtUtc);
        Assert.Null(failures.Single(f => f.SerialNumber == "SN-OTHER").ResolvedAtUtc);
    }

    [Fact]
    public async Task Credential_stops_working_when_it_expires_and_is_stored_only_as_a_hash()
    {
        var ct = TestContext.Current.CancellationToken;
        var result = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);

        _time.Advance(DeviceVerificationService.SessionLifetime - TimeSpan.FromSeconds(1));
        Assert.NotNull(await _service.FindSessionAsync(result.Token!, ct));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await _service.FindSessionAsync(result.Token!, ct));

        await using var db = _database.CreateDbContext();
        var stored = await db.Set<ConsoleSession>().SingleAsync(ct);
        Assert.DoesNotContain(result.Token!, stored.TokenHash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoked_manufacturer_key_no_longer_verifies()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var db = _database.CreateDbContext())
        {
            await db.Set<ManufacturerKey>().ExecuteUpdateAsync(k => k.SetProperty(x => x.Revoked, true), ct);
        }

        var result = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);

        Assert.Equal(VerificationFailureReason.VerificationInfoInvalid, result.FailureReason);
    }

    [Fact]
    public async Task Accepted_agreement_carries_over_to_the_devices_next_credential()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);
        Assert.True((await _agreements.AcceptAsync(first.SessionId!.Value, AgreementService.BuiltIn.Version, ct)).Succeeded);

        var second = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);

        var session = await _service.FindSessionAsync(second.Token!, ct);
        Assert.Equal(AgreementService.BuiltIn.Version, session!.AgreementVersion);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, session.AgreementAcceptedAtUtc);
    }

    [Fact]
    public async Task Accepted_agreement_belongs_to_make_model_and_serial_not_to_the_serial_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        var fabrikam = new DeviceIdentity("Fabrikam", "Board 20", Console10.SerialNumber, "9.0");
        var contoso = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);
        await _agreements.AcceptAsync(contoso.SessionId!.Value, AgreementService.BuiltIn.Version, ct);

        var other = await _service.VerifyAsync(fabrikam, Sign(_fabrikam, fabrikam), null, ct);

        Assert.True(other.Succeeded);
        Assert.Null((await _service.FindSessionAsync(other.Token!, ct))!.AgreementAcceptedAtUtc);
        Assert.NotNull(await _service.FindSessionAsync(contoso.Token!, ct));
    }

    [Fact]
    public async Task A_new_credential_revokes_the_consoles_earlier_ones_and_no_other_consoles()
    {
        var ct = TestContext.Current.CancellationToken;
        var neighbour = Console10 with { SerialNumber = "SN-0002" };
        var first = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);
        var other = await _service.VerifyAsync(neighbour, Sign(_manufacturer, neighbour), null, ct);
        _time.Advance(TimeSpan.FromMinutes(1));

        var second = await _service.VerifyAsync(Console10 with { Make = "contoso" }, Sign(_manufacturer, Console10 with { Make = "contoso" }), null, ct);

        Assert.Null(await _service.FindSessionAsync(first.Token!, ct));
        Assert.NotNull(await _service.FindSessionAsync(second.Token!, ct));
        Assert.NotNull(await _service.FindSessionAsync(other.Token!, ct));
        var live = await _service.LiveSessionsAsync([first.SessionId!.Value, second.SessionId!.Value, other.SessionId!.Value], ct);
        Assert.Equal(new HashSet<Guid> { second.SessionId.Value, other.SessionId.Value }, live.ToHashSet());
        Assert.False(await _service.IsLiveAsync(first.SessionId.Value, ct));
        Assert.True(await _service.IsLiveAsync(second.SessionId.Value, ct));
        // One that ran out is not live either.
        _time.Advance(DeviceVerificationService.SessionLifetime);
        Assert.False(await _service.IsLiveAsync(second.SessionId.Value, ct));
    }

    [Fact]
    public async Task On_SQLite_a_first_verification_writes_its_credential_and_updates_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var neighbour = Console10 with { SerialNumber = "SN-0002" };
        await _service.VerifyAsync(neighbour, null, null, ct);
        await _service.VerifyAsync(neighbour, Sign(_manufacturer, neighbour), null, ct);
        _commands.Clear();

        var result = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);

        // Nothing to revoke and nothing to resolve. On SQLite (one writer at a time) the unit of work looks with two
        // reads and only inserts the credential; where writers run at once, the two updates look themselves.
        Assert.True(result.Succeeded);
        var updates = _commands.Texts.Count(t => t.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(TestDatabase.Provider == TestProvider.Sqlite ? 0 : 2, updates);
        Assert.Single(_commands.Texts, t => t.Contains("INSERT INTO \"ConsoleSession\"", StringComparison.Ordinal));
        // The neighbour's credential and resolved failure are as they were.
        await using var db = _database.CreateDbContext();
        Assert.Equal(2, await db.Set<ConsoleSession>().CountAsync(s => s.RevokedAtUtc == null, ct));
        Assert.Equal(1, await db.Set<VerificationFailure>().CountAsync(f => f.ResolvedAtUtc != null, ct));
    }

    [Fact]
    public async Task Only_the_current_agreement_version_is_accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        var verified = await _service.VerifyAsync(Console10, Sign(_manufacturer, Console10), null, ct);
        var session = verified.SessionId!.Value;

        Assert.Equal(AcceptAgreementError.VersionMismatch, (await _agreements.AcceptAsync(session, "2025-07", ct)).Error);
        Assert.Equal(AcceptAgreementError.InvalidVersion, (await _agreements.AcceptAsync(session, "2026-01\u0007", ct)).Error);
        Assert.Equal(AcceptAgreementError.InvalidVersion, (await _agreements.AcceptAsync(session, "2026\u200B-01", ct)).Error);
        Assert.Equal(AcceptAgreementError.InvalidVersion, (await _agreements.AcceptAsync(session, new string('9', 33), ct)).Error);
        Assert.Null((await _service.FindSessionAsync(verified.Token!, ct))!.AgreementVersion);
        Assert.True((await _agreements.AcceptAsync(session, AgreementService.BuiltIn.Version, ct)).Succeeded);
        Assert.True(await _agreements.IsCurrentAsync((await _service.FindSessionAsync(verified.Token!, ct))!.AgreementVersion, ct));
    }

    [Fact]
    public void Device_identity_rejects_control_and_format_characters()
    {
        var errors = new DeviceIdentity("Contoso\u202E", "M", "SN\u00001", "1.0\n").Validate();

        Assert.Equal(["firmwareVersion", "make", "serialNumber"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Device_identity_rejects_missing_and_oversized_fields()
    {
        var errors = new DeviceIdentity("", "M", new string('S', DeviceLimits.SerialMaxLength + 1), new string('F', 65)).Validate();

        Assert.Equal(["firmwareVersion", "make", "serialNumber"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(Console10.Validate());
    }

    private static string Sign(ECDsa key, DeviceIdentity device)
    {
        var signature = key.SignData(
            DeviceStatement.Payload(device.Make, device.Model, device.SerialNumber),
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private async Task<VerificationFailure> SingleFailureAsync()
    {
        await using var db = _database.CreateDbContext();
        return await db.Set<VerificationFailure>().SingleAsync(TestContext.Current.CancellationToken);
    }
}
