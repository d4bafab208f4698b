using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Notifications;

/// <summary>The dispatcher's wake-up is raised after a commit that wrote deliveries: never before it, never on a rollback.</summary>
public sealed class NotificationOutboxSignalTests : IAsyncLifetime
{
    private readonly NotificationOutboxSignal _signal = new();
    private ProvisioningHarness _h = default!;
    private NotificationChannelService _channels = default!;
    private Guid _channel;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync(new NotificationOutboxInterceptor(_signal));
        _channels = new NotificationChannelService(_h.Database, new EphemeralDataProtectionProvider(), Options.Create(NotificationOutboxTests.Settings), _h.Time);
        _channel = (await _channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, "Hook", "https://hooks.example.com/x", null, NotificationEventTypes.Subscribable), Admin, Ct)).Value!.Channel.Id;
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_delivery_raises_the_signal_once_committed_and_not_before_nor_after_a_rollback()
    {
        Assert.False(_signal.IsRaised);

        await _h.Database.InTransactionAsync(async (db, ct) =>
        {
            AddDelivery(db);
            await db.SaveChangesAsync(ct);
            Assert.False(_signal.IsRaised);
            await db.Database.RollbackTransactionAsync(ct);
            return 0;
        }, Ct);
        Assert.False(_signal.IsRaised);

        var raisedBeforeCommit = true;
        await _h.Database.InTransactionAsync(async (db, ct) =>
        {
            AddDelivery(db);
            await db.SaveChangesAsync(ct);
            raisedBeforeCommit = _signal.IsRaised;
            return 0;
        }, Ct);
        Assert.False(raisedBeforeCommit);
        Assert.True(_signal.IsRaised);

        // Taken by the waiter at once (the fake clock never moves, so only the raise can end the wait), then gone.
        Assert.True(await _signal.WaitAsync(TimeSpan.FromMinutes(10), _h.Time, Ct));
        Assert.False(_signal.IsRaised);
    }

    [Fact]
    public async Task Service_units_of_work_and_plain_saves_with_deliveries_raise_it_and_other_changes_do_not()
    {
        await _h.GroupAsync("Building 9");
        Assert.False(_signal.IsRaised);

        Assert.True((await _channels.SendTestAsync(_channel, Admin, Ct)).Succeeded);
        Assert.True(await _signal.WaitAsync(TimeSpan.FromMinutes(10), _h.Time, Ct));

        // Verification failures save without a transaction of their own: SaveChanges' own commit counts.
        await new DeviceVerificationService(_h.Database, _h.Time).VerifyAsync(new DeviceIdentity("Contoso", "Unknown", "SN-W1", null), null, "10.0.0.9", Ct);
        Assert.True(_signal.IsRaised);
    }

    [Fact]
    public async Task Saving_walks_the_tracked_entities_once_the_interceptor_adds_no_walk_of_its_own()
    {
        var walks = 0;
        await _h.Database.InTransactionAsync(async (db, ct) =>
        {
            db.ChangeTracker.DetectingAllChanges += (_, _) => walks++;
            AddDelivery(db);
            await db.SaveChangesAsync(ct);
            return 0;
        }, Ct);

        // SaveChanges' own DetectChanges only; the interceptor read the delivery's Added state as it stood.
        Assert.Equal(1, walks);
        Assert.True(_signal.IsRaised);
    }

    [Fact]
    public async Task Without_a_raise_the_wait_ends_after_the_poll_interval_on_the_clock()
    {
        var wait = _signal.WaitAsync(TimeSpan.FromSeconds(1), _h.Time, Ct);
        Assert.False(wait.IsCompleted);

        _h.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(30), Ct));
    }

    private void AddDelivery(PortalDbContext db)
    {
        var now = _h.Time.GetUtcNow();
        var evt = new NotificationEvent { EventId = Guid.NewGuid(), Type = NotificationEventTypes.Test, OccurredAt = now, Payload = "{}" };
        db.Add(evt);
        db.Add(new NotificationDelivery { ChannelId = _channel, Event = evt, Status = DeliveryStatus.Pending, CreatedAt = now, NextAttemptAt = now });
    }
}
