using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Tests.Support;

namespace RoomsPortal.Core.Tests.ApiKeys;

public sealed class IdempotencyKeysTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = default!;
    private IdempotencyKeys _keys = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _keys = new IdempotencyKeys(_database, _time);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_retry_of_the_same_request_is_told_the_first_result_and_another_request_with_the_key_is_told_it_differs()
    {
        var request = IdempotencyKeys.Fingerprint(["GeneratePasswords", "account-1"]);
        var first = await _keys.ReserveAsync("apikey:1", "nightly-7", request, Ct);
        var result = Guid.NewGuid();
        await _keys.CompleteAsync(first.ReservationId!.Value, result, Ct);

        var retry = await _keys.ReserveAsync("apikey:1", "nightly-7", IdempotencyKeys.Fingerprint(["GeneratePasswords", "account-1"]), Ct);
        var other = await _keys.ReserveAsync("apikey:1", "nightly-7", IdempotencyKeys.Fingerprint(["GeneratePasswords", "account-2"]), Ct);
        var otherCaller = await _keys.ReserveAsync("apikey:2", "nightly-7", request, Ct);

        Assert.Equal((false, result, false), (retry.MayProceed, retry.EarlierResultId, retry.DifferentRequest));
        Assert.Equal((false, (Guid?)null, true), (other.MayProceed, other.EarlierResultId, other.DifferentRequest));
        Assert.True(otherCaller.MayProceed);
    }

    [Fact]
    public async Task A_key_is_forgotten_a_day_after_its_call_and_reserving_purges_the_old_ones()
    {
        var request = IdempotencyKeys.Fingerprint(["GeneratePasswords", "account-1"]);
        var first = await _keys.ReserveAsync("apikey:1", "weekly", request, Ct);
        await _keys.CompleteAsync(first.ReservationId!.Value, Guid.NewGuid(), Ct);
        await _keys.ReserveAsync("apikey:1", "other", request, Ct);

        _time.Advance(IdempotencyKeys.Retention - TimeSpan.FromSeconds(1));
        Assert.False((await _keys.ReserveAsync("apikey:1", "weekly", request, Ct)).MayProceed);
        _time.Advance(TimeSpan.FromSeconds(2));
        var again = await _keys.ReserveAsync("apikey:1", "weekly", request, Ct);

        Assert.True(again.MayProceed);
        await using var db = _database.CreateDbContext();
        Assert.Equal(["weekly"], await db.Set<IdempotencyRecord>().Select(r => r.Key).ToListAsync(Ct));
    }

    [Fact]
    public void Fingerprints_differ_when_the_parts_differ_even_if_their_text_joins_the_same()
    {
        Assert.Equal(IdempotencyKeys.Fingerprint(["a", "bc"]), IdempotencyKeys.Fingerprint(["a", "bc"]));
        Assert.NotEqual(IdempotencyKeys.Fingerprint(["a", "bc"]), IdempotencyKeys.Fingerprint(["ab", "c"]));
        Assert.Equal(32, IdempotencyKeys.Fingerprint([]).Length);
    }
}
