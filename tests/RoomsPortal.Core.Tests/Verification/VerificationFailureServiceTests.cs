using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core.Tests.Verification;

public sealed class VerificationFailureServiceTests : IAsyncLifetime
{
    private static readonly Actor Helpdesk = Actor.User("hd-1", "Hana Helpdesk");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = default!;
    private DeviceVerificationService _verification = default!;
    private VerificationFailureService _failures = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        await new DeviceCatalogService(_database, _time).AddCertifiedModelAsync("Contoso", "RoomConsole 10", RoomsPortal.Core.Common.Actor.User("admin-1", "Ada Admin"), Ct);
        _verification = new DeviceVerificationService(_database, _time);
        _failures = new VerificationFailureService(_database, _time);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    private async Task FailAsync(string make, string model, string serial)
    {
        var result = await _verification.VerifyAsync(new DeviceIdentity(make, model, serial, "1.0"), null, "10.0.0.9", Ct);
        Assert.False(result.Succeeded);
        _time.Advance(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task List_shows_newest_first_with_repeat_counts_and_troubleshooting()
    {
        await FailAsync("Contoso", "RoomConsole 10", "SN-1");
        await FailAsync("Contoso", "RoomConsole 10", "SN-1");
        await FailAsync("Fabrikam", "Hub 2", "SN-2");

        var page = await _failures.ListAsync(new VerificationFailureQuery(), Ct);

        Assert.Equal(3, page.TotalCount);
        Assert.Equal(["SN-2", "SN-1", "SN-1"], page.Items.Select(f => f.SerialNumber));
        Assert.Equal([1, 2, 2], page.Items.Select(f => f.RepeatCount));
        Assert.Equal(VerificationFailureReason.VerificationInfoNotFound, page.Items[1].Reason);
        Assert.Contains(page.Items[1].Troubleshooting, s => s.Contains("HDMI ingest module", StringComparison.Ordinal));
        Assert.Equal("10.0.0.9", page.Items[0].SourceAddress);
    }

    [Fact]
    public async Task Counts_per_make_and_model_are_grouped_in_the_database()
    {
        await FailAsync("Contoso", "RoomConsole 10", "SN-1");
        await FailAsync("Contoso", "RoomConsole 10", "SN-1");
        await FailAsync("Contoso", "RoomConsole 10", "SN-3");
        await FailAsync("Fabrikam", "Hub 2", "SN-2");

        var counts = await _failures.CountsByModelAsync(unresolvedOnly: false, Ct);

        Assert.Equal(
            [new ModelFailureCount("Contoso", "RoomConsole 10", 3, 2), new ModelFailureCount("Fabrikam", "Hub 2", 1, 1)],
            counts);
    }

    [Fact]
    public async Task Resolve_needs_a_note_is_audited_and_drops_out_of_the_unresolved_filter()
    {
        await FailAsync("Contoso", "RoomConsole 10", "SN-1");
        await FailAsync("Fabrikam", "Hub 2", "SN-2");
        var id = (await _failures.ListAsync(new VerificationFailureQuery(Search: "sn-1"), Ct)).Items.Single().Id;

        var withoutNote = await _failures.ResolveAsync(id, "  ", Helpdesk, Ct);
        var resolved = await _failures.ResolveAsync(id, "Reconnected the ingest module", Helpdesk, Ct);
        var again = await _failures.ResolveAsync(id, "twice", Helpdesk, Ct);
        var unknown = await _failures.ResolveAsync(Guid.NewGuid(), "none", Helpdesk, Ct);

        Assert.Equal(ResolveFailureError.NoteRequired, withoutNote.Error);
        Assert.Equal(("Hana Helpdesk", "Reconnected the ingest module"), (resolved.Value!.ResolvedBy, resolved.Value.ResolutionNote));
        Assert.Equal(ResolveFailureError.AlreadyResolved, again.Error);
        Assert.Equal(ResolveFailureError.NotFound, unknown.Error);
        var unresolved = await _failures.ListAsync(new VerificationFailureQuery(UnresolvedOnly: true), Ct);
        Assert.Equal("SN-2", Assert.Single(unresolved.Items).SerialNumber);
        await using var db = _database.CreateDbContext();
        var audit = await db.Set<AuditEntry>().SingleAsync(e => e.Operation == AuditOperations.VerificationFailureResolved, Ct);
        Assert.Equal(("hd-1", "SN-1"), (audit.ActorId, audit.Target));
    }

    [Fact]
    public async Task Export_writes_a_csv_row_per_failure_with_its_steps()
    {
        await FailAsync("Contoso", "RoomConsole 10", "SN-1");
        await FailAsync("Fabrikam", "Hub 2", "SN-2");

        var csv = await _failures.ExportCsvAsync(unresolvedOnly: true, ct: Ct);

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("time (UTC),make,model,serial", lines[0], StringComparison.Ordinal);
        Assert.Contains("SN-2", lines[1], StringComparison.Ordinal);
        Assert.Contains("VerificationInfoNotFound", lines[2], StringComparison.Ordinal);
        Assert.Contains("HDMI ingest module", lines[2], StringComparison.Ordinal);
    }
}
