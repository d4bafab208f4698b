using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core.Tests.Verification;

public sealed class DeviceCatalogServiceTests : IAsyncLifetime, IDisposable
{
    private static readonly Actor Admin = Actor.User("admin-1", "Ada Admin");
    private static readonly DeviceIdentity Console10 = new("Contoso", "RoomConsole 10", "SN-0001", "1.4.2");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly ECDsa _key2026 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _key2027 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private TestDatabase _database = default!;
    private DeviceCatalogService _catalog = default!;
    private DeviceVerificationService _verification = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _catalog = new DeviceCatalogService(_database, _time);
        _verification = new DeviceVerificationService(_database, _time);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    public void Dispose()
    {
        _key2026.Dispose();
        _key2027.Dispose();
    }

    [Fact]
    public async Task An_empty_catalog_certifies_nothing_and_a_key_plus_a_model_make_a_console_verify()
    {
        Assert.Empty(await _catalog.ListAsync(Ct));
        Assert.Equal(VerificationFailureReason.DeviceNotCertified, (await VerifyAsync(_key2026)).FailureReason);

        var key = await _catalog.AddManufacturerKeyAsync("Contoso", "2026-A", _key2026.ExportSubjectPublicKeyInfoPem(), Admin, Ct);
        var model = await _catalog.AddCertifiedModelAsync("contoso", "RoomConsole 10", Admin, Ct);

        Assert.True(key.Succeeded);
        Assert.Equal("Contoso", model.Value!.Make); // the manufacturer keeps its first spelling
        Assert.True((await VerifyAsync(_key2026)).Succeeded);
        var manufacturer = Assert.Single(await _catalog.ListAsync(Ct));
        Assert.Equal(("Contoso", 1), (manufacturer.Make, manufacturer.ActiveKeys));
        Assert.Equal(["RoomConsole 10"], manufacturer.Models.Select(m => m.Model));
    }

    [Fact]
    public async Task The_fingerprint_is_the_sha256_of_the_der_key_and_pem_or_base64_are_the_same_key()
    {
        var der = _key2026.ExportSubjectPublicKeyInfo();
        var expected = string.Join(':', SHA256.HashData(der).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

        var added = await _catalog.AddManufacturerKeyAsync("Contoso", null, "\n  " + Convert.ToBase64String(der) + "  \n", Admin, Ct);
        var again = await _catalog.AddManufacturerKeyAsync("Contoso", "same-key", _key2026.ExportSubjectPublicKeyInfoPem(), Admin, Ct);

        Assert.Equal(expected, added.Value!.Fingerprint);
        Assert.Equal("key-" + expected.Replace(":", "", StringComparison.Ordinal)[..8], added.Value.KeyName);
        Assert.Equal(CatalogError.DuplicateKey, again.Error);
        var entry = await SingleEntryAsync(AuditOperations.ManufacturerKeyAdded);
        Assert.Equal((AuditCategory.DeviceCatalog, "Contoso", $"Key '{added.Value.KeyName}' SHA-256 {expected}: none -> active"),
            (entry.Category, entry.Target, entry.Details));
    }

    [Fact]
    public async Task Two_active_keys_verify_during_rotation_and_a_revoked_key_no_longer_does()
    {
        await _catalog.AddCertifiedModelAsync("Contoso", "RoomConsole 10", Admin, Ct);
        var old = await _catalog.AddManufacturerKeyAsync("Contoso", "2026", _key2026.ExportSubjectPublicKeyInfoPem(), Admin, Ct);
        await _catalog.AddManufacturerKeyAsync("Contoso", "2027", _key2027.ExportSubjectPublicKeyInfoPem(), Admin, Ct);

        Assert.True((await VerifyAsync(_key2026)).Succeeded);
        Assert.True((await VerifyAsync(_key2027)).Succeeded);

        var revoked = await _catalog.RevokeKeyAsync(old.Value!.Id, Admin, Ct);
        var twice = await _catalog.RevokeKeyAsync(old.Value.Id, Admin, Ct);

        Assert.True(revoked.Value!.Revoked);
        Assert.Equal(CatalogError.AlreadyRevoked, twice.Error);
        Assert.Equal(VerificationFailureReason.VerificationInfoInvalid, (await VerifyAsync(_key2026)).FailureReason);
        Assert.True((await VerifyAsync(_key2027)).Succeeded);
        var entry = await SingleEntryAsync(AuditOperations.ManufacturerKeyRevoked);
        Assert.EndsWith(": active -> revoked; 1 active key(s) left", entry.Details, StringComparison.Ordinal);
        var keys = Assert.Single(await _catalog.ListAsync(Ct)).Keys;
        Assert.Equal([("2027", false), ("2026", true)], keys.Select(k => (k.KeyName, k.Revoked)));
    }

    [Fact]
    public async Task Removing_a_model_fails_its_consoles_from_then_on_and_is_audited()
    {
        await _catalog.AddManufacturerKeyAsync("Contoso", "2026", _key2026.ExportSubjectPublicKeyInfoPem(), Admin, Ct);
        var model = await _catalog.AddCertifiedModelAsync("Contoso", "RoomConsole 10", Admin, Ct);
        var duplicate = await _catalog.AddCertifiedModelAsync("CONTOSO", "roomconsole 10", Admin, Ct);

        var removed = await _catalog.RemoveCertifiedModelAsync(model.Value!.Id, Admin, Ct);

        Assert.Equal(CatalogError.DuplicateModel, duplicate.Error);
        Assert.True(removed.Succeeded);
        Assert.Equal(CatalogError.NotFound, (await _catalog.RemoveCertifiedModelAsync(model.Value.Id, Admin, Ct)).Error);
        Assert.Equal(VerificationFailureReason.DeviceNotCertified, (await VerifyAsync(_key2026)).FailureReason);
        Assert.Equal("Model 'RoomConsole 10' of 'Contoso': certified -> not certified", (await SingleEntryAsync(AuditOperations.CertifiedModelRemoved)).Details);
    }

    [Fact]
    public async Task Bad_keys_are_refused_with_a_message_that_says_what_to_paste()
    {
        using var rsa = RSA.Create(2048);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var certificate = new CertificateRequest("CN=Contoso", _key2026, HashAlgorithmName.SHA256)
            .CreateSelfSigned(_time.GetUtcNow(), _time.GetUtcNow().AddYears(1));
        var cases = new (string Text, PublicKeyProblem Problem)[]
        {
            (rsa.ExportSubjectPublicKeyInfoPem(), PublicKeyProblem.WrongAlgorithm),
            (Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo()), PublicKeyProblem.WrongAlgorithm),
            (_key2026.ExportPkcs8PrivateKeyPem(), PublicKeyProblem.PrivateKey),
            (_key2026.ExportECPrivateKeyPem(), PublicKeyProblem.PrivateKey),
            (certificate.ExportCertificatePem(), PublicKeyProblem.NotAPublicKey),
            ("not a key at all", PublicKeyProblem.Malformed),
            (Convert.ToBase64String([1, 2, 3, 4, 5, 6]), PublicKeyProblem.Malformed),
            ("-----BEGIN PUBLIC KEY-----\nMFkw", PublicKeyProblem.Malformed),
            ("   ", PublicKeyProblem.Empty),
        };

        foreach (var (text, problem) in cases)
        {
            Assert.Equal(problem, ManufacturerPublicKey.Parse(text).Problem);
            Assert.Equal(CatalogError.InvalidKey, (await _catalog.AddManufacturerKeyAsync("Contoso", null, text, Admin, Ct)).Error);
        }

        Assert.Contains("not an ECDSA P-256 key", ManufacturerPublicKey.Describe(PublicKeyProblem.WrongAlgorithm), StringComparison.Ordinal);
        Assert.Contains("Never paste a private key", ManufacturerPublicKey.Describe(PublicKeyProblem.PrivateKey), StringComparison.Ordinal);
        Assert.All(Enum.GetValues<PublicKeyProblem>().Where(p => p != PublicKeyProblem.PrivateKey),
            p => Assert.Contains("-----BEGIN PUBLIC KEY-----", ManufacturerPublicKey.Describe(p), StringComparison.Ordinal));
        Assert.Empty(await _catalog.ListAsync(Ct));
    }

    [Fact]
    public async Task Manufacturer_model_and_key_names_follow_the_text_rules()
    {
        var pem = _key2026.ExportSubjectPublicKeyInfoPem();

        Assert.Equal(CatalogError.InvalidMake, (await _catalog.AddManufacturerKeyAsync("Con\u202Etoso", null, pem, Admin, Ct)).Error);
        Assert.Equal(CatalogError.InvalidKeyName, (await _catalog.AddManufacturerKeyAsync("Contoso", "key\u200B", pem, Admin, Ct)).Error);
        Assert.Equal(CatalogError.InvalidModel, (await _catalog.AddCertifiedModelAsync("Contoso", "Room\u0000Console", Admin, Ct)).Error);
        Assert.Empty(await _catalog.ListAsync(Ct));
    }

    private Task<DeviceVerificationResult> VerifyAsync(ECDsa key) =>
        _verification.VerifyAsync(Console10, Sign(key), null, Ct);

    private static string Sign(ECDsa key)
    {
        var signature = key.SignData(DeviceStatement.Payload(Console10.Make, Console10.Model, Console10.SerialNumber), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private async Task<AuditEntry> SingleEntryAsync(string operation)
    {
        await using var db = _database.CreateDbContext();
        return await db.Set<AuditEntry>().SingleAsync(e => e.Operation == operation, Ct);
    }
}
