using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core.Tests.Verification;

public sealed class AgreementServiceTests : IAsyncLifetime
{
    private static readonly Actor Admin = Actor.User("admin-1", "Ada Admin");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = default!;
    private AgreementService _agreements = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _agreements = new AgreementService(_database, _time);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Until_a_version_is_published_consoles_accept_the_built_in_agreement()
    {
        var current = await _agreements.GetCurrentAsync(Ct);

        Assert.Same(AgreementService.BuiltIn, current);
        Assert.True(current.IsBuiltIn);
        Assert.Empty(await _agreements.ListAsync(Ct));
    }

    [Fact]
    public async Task A_version_effective_today_or_earlier_is_current_at_once_and_audited_with_the_one_it_replaced()
    {
        var published = await _agreements.PublishAsync("2026-11", "You agree.\nLine two.", _time.GetUtcNow().AddDays(-3), Admin, Ct);

        Assert.Equal((AgreementState.Current, _time.GetUtcNow()), (published.Value!.State, published.Value.EffectiveFrom));
        var current = await _agreements.GetCurrentAsync(Ct);
        Assert.Equal(("2026-11", "You agree.\nLine two.", "Ada Admin"), (current.Version, current.Text, current.PublishedBy));
        var entry = await SingleEntryAsync(AuditOperations.AgreementPublished);
        Assert.Equal("Current agreement 2026-01 (built in) -> 2026-11, in effect at once (20 characters)", entry.Details);
    }

    [Fact]
    public async Task A_scheduled_version_takes_over_on_its_date_and_can_be_deleted_only_before()
    {
        await _agreements.PublishAsync("v1", "First.", _time.GetUtcNow(), Admin, Ct);
        var scheduled = await _agreements.PublishAsync("v2", "Second.", _time.GetUtcNow().AddDays(7), Admin, Ct);
        var later = await _agreements.PublishAsync("v3", "Third.", _time.GetUtcNow().AddDays(14), Admin, Ct);

        Assert.Equal(AgreementState.Scheduled, scheduled.Value!.State);
        Assert.Equal("v1", (await _agreements.GetCurrentAsync(Ct)).Version);
        Assert.True((await _agreements.DeleteAsync(later.Value!.Id!.Value, Admin, Ct)).Succeeded);

        _time.Advance(TimeSpan.FromDays(7));

        Assert.Equal("v2", (await _agreements.GetCurrentAsync(Ct)).Version);
        Assert.Equal([("v2", AgreementState.Current), ("v1", AgreementState.Superseded)], (await _agreements.ListAsync(Ct)).Select(a => (a.Version, a.State)));
        Assert.Equal(AgreementError.NotScheduled, (await _agreements.DeleteAsync(scheduled.Value.Id!.Value, Admin, Ct)).Error);
        Assert.Equal(1, await CountAsync(AuditOperations.AgreementDeleted));
    }

    [Fact]
    public async Task Versions_are_new_and_texts_follow_the_text_rules()
    {
        await _agreements.PublishAsync("v1", "First.", _time.GetUtcNow(), Admin, Ct);

        Assert.Equal(AgreementError.DuplicateVersion, (await _agreements.PublishAsync("V1", "Again.", _time.GetUtcNow(), Admin, Ct)).Error);
        Assert.Equal(AgreementError.DuplicateVersion, (await _agreements.PublishAsync(AgreementService.BuiltIn.Version, "Again.", _time.GetUtcNow(), Admin, Ct)).Error);
        Assert.Equal(AgreementError.InvalidText, (await _agreements.PublishAsync("v2", "Accept \u202Etpecca", _time.GetUtcNow(), Admin, Ct)).Error);
        Assert.Equal(AgreementError.InvalidText, (await _agreements.PublishAsync("v2", " ", _time.GetUtcNow(), Admin, Ct)).Error);
        Assert.Equal(AgreementError.InvalidVersion, (await _agreements.PublishAsync(new string('9', 33), "Text.", _time.GetUtcNow(), Admin, Ct)).Error);
        Assert.Equal(1, await CountAsync(AuditOperations.AgreementPublished));
    }

    [Fact]
    public async Task A_console_accepting_the_agreement_is_audited_under_the_console()
    {
        var catalog = new DeviceCatalogService(_database, _time);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await catalog.AddCertifiedModelAsync("Contoso", "RoomConsole 10", Admin, Ct);
        await catalog.AddManufacturerKeyAsync("Contoso", "k", key.ExportSubjectPublicKeyInfoPem(), Admin, Ct);
        var verification = new DeviceVerificationService(_database, _time);
        var statement = Convert.ToBase64String(key.SignData(DeviceStatement.Payload("Contoso", "RoomConsole 10", "SN-7"), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var verified = await verification.VerifyAsync(new DeviceIdentity("Contoso", "RoomConsole 10", "SN-7", null), statement, null, Ct);

        Assert.True((await _agreements.AcceptAsync(verified.SessionId!.Value, "2026-01", Ct)).Succeeded);

        var entry = await SingleEntryAsync(AuditOperations.AgreementAccepted);
        Assert.Equal(("console:Contoso/RoomConsole 10/SN-7", "SN-7", "Contoso RoomConsole 10 accepted the end user agreement 2026-01 (before: none)"), (entry.ActorId, entry.Target, entry.Details));
    }

    private async Task<AuditEntry> SingleEntryAsync(string operation)
    {
        await using var db = _database.CreateDbContext();
        return await db.Set<AuditEntry>().SingleAsync(e => e.Operation == operation, Ct);
    }

    private async Task<int> CountAsync(string operation)
    {
        await using var db = _database.CreateDbContext();
        return await db.Set<AuditEntry>().CountAsync(e => e.Operation == operation, Ct);
    }
}
