using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Web.Api.Console;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>The console budgets' fixed windows: spent per key, refused with the wait until the window ends, and forgotten once ended.</summary>
public sealed class WindowCounterTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void A_key_gets_its_permits_a_window_and_is_told_how_long_until_the_next()
    {
        var counter = new WindowCounter(3, TimeSpan.FromMinutes(1), _clock);

        Assert.True(counter.TryTake("device-a", out _));
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(counter.TryTake("device-a", out _));
        Assert.True(counter.TryTake("device-a", out _));
        Assert.False(counter.TryTake("device-a", out var retryAfter));
        Assert.False(counter.HasRoom("device-a", out var sameWait));

        // The window opened with the first permit, 20 seconds ago; another key has its own.
        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);
        Assert.Equal(retryAfter, sameWait);
        Assert.True(counter.TryTake("device-b", out _));
        _clock.Advance(TimeSpan.FromSeconds(40));
        Assert.True(counter.HasRoom("device-a", out _));
        Assert.True(counter.TryTake("device-a", out _));
    }

    [Fact]
    public void Asking_spends_nothing_and_holds_nothing_and_a_permit_given_back_is_there_again()
    {
        var counter = new WindowCounter(1, TimeSpan.FromHours(1), _clock);

        Assert.True(counter.HasRoom("10.0.0.1", out _));
        Assert.Equal(0, counter.Count);
        Assert.True(counter.TryTake("10.0.0.1", out _, out var taken));
        Assert.False(counter.HasRoom("10.0.0.1", out _));
        counter.GiveBack("10.0.0.1", taken);

        Assert.True(counter.TryTake("10.0.0.1", out _));
        Assert.False(counter.TryTake("10.0.0.1", out _));
    }

    [Fact]
    public void A_permit_is_given_back_only_to_the_window_it_came_from()
    {
        var counter = new WindowCounter(1, TimeSpan.FromMinutes(1), _clock);
        Assert.True(counter.TryTake("device-a", out _, out var old));
        _clock.Advance(TimeSpan.FromMinutes(1));
        // The window ended and a later call opened the next one before the first call gave its permit back.
        Assert.True(counter.TryTake("device-a", out _));

        counter.GiveBack("device-a", old);

        Assert.False(counter.TryTake("device-a", out _));
    }

    [Fact]
    public void Keys_whose_window_ended_are_dropped_by_the_next_call_after_a_window()
    {
        var counter = new WindowCounter(5, TimeSpan.FromMinutes(1), _clock);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(counter.TryTake($"console-{i}", out _));
        }

        Assert.Equal(1000, counter.Count);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(counter.TryTake("late", out _));
        Assert.Equal(1001, counter.Count);
        _clock.Advance(TimeSpan.FromSeconds(31));

        // The first 1,000 windows ended; "late" has 29 seconds left and stays.
        Assert.True(counter.TryTake("next", out _));
        Assert.Equal(2, counter.Count);
        // Its window kept its count: four permits left of five, then none.
        Assert.All(Enumerable.Range(0, 4), _ => Assert.True(counter.TryTake("late", out TimeSpan _)));
        Assert.False(counter.TryTake("late", out _));
    }

    [Fact]
    public async Task Concurrent_calls_on_one_key_never_get_more_than_its_permits()
    {
        var counter = new WindowCounter(50, TimeSpan.FromMinutes(1), _clock);
        var granted = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 400), TestContext.Current.CancellationToken, (_, _) =>
        {
            if (counter.TryTake("one-address", out _))
            {
                Interlocked.Increment(ref granted);
            }

            return ValueTask.CompletedTask;
        });

        Assert.Equal(50, granted);
    }
}
