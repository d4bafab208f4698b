using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Notifications;

/// <summary>
/// The outcome of an attempt is written by a conditional UPDATE on the lease owner, not after reading the owner: here
/// another node takes the lease between the recording node's first statement and its write (the interceptor makes that
/// write just before the recording UPDATE, in its transaction, as a commit by the other node would look to it).
/// </summary>
public sealed class LeaseRaceTests : IAsyncLifetime
{
    private readonly StealBeforeWrite _steal = new();
    private ProvisioningHarness _h = default!;
    private NotificationDispatchStore _store = default!;
    private long _delivery;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync(_steal);
        var channels = new NotificationChannelService(_h.Database, new EphemeralDataProtectionProvider(), Options.Create(NotificationOutboxTests.Settings), _h.Time);
        _store = new NotificationDispatchStore(_h.Database, channels, Options.Create(NotificationOutboxTests.Settings), _h.Time);
        var channel = (await channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, "Hook", "https://hooks.example.com/x", null, [NotificationEventTypes.RequestPending]), Admin, Ct)).Value!.Channel.Id;
        await channels.SendTestAsync(channel, Admin, Ct);
        _delivery = Assert.Single(await _store.ClaimDueAsync("node-a", Ct)).DeliveryId;
        _steal.Delivery = _delivery;
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_success_recorded_after_another_node_took_the_lease_changes_nothing()
    {
        _steal.Armed = true;

        Assert.False(await _store.CompleteAsync(_delivery, "node-a", 200, Ct));

        Assert.False(_steal.Armed, "the other node's write happened");
        Assert.Equal((DeliveryStatus.Pending, 0, "node-b"), await RowAsync());
    }

    [Fact]
    public async Task A_failure_recorded_after_another_node_took_the_lease_changes_nothing()
    {
        _steal.Armed = true;

        Assert.False(await _store.FailAsync(_delivery, "node-a", 500, "HTTP 500", Ct));

        Assert.False(_steal.Armed, "the other node's write happened");
        Assert.Equal((DeliveryStatus.Pending, 0, "node-b"), await RowAsync());
    }

    private async Task<(DeliveryStatus, int, string?)> RowAsync()
    {
        await using var db = _h.Database.CreateDbContext();
        var row = await db.Set<NotificationDelivery>().AsNoTracking().SingleAsync(d => d.Id == _delivery, Ct);
        return (row.Status, row.Attempts, row.LeaseOwner);
    }

    /// <summary>Once armed, gives the delivery's lease to node-b just before the next UPDATE of the delivery table runs.</summary>
    private sealed class StealBeforeWrite : DbCommandInterceptor
    {
        public bool Armed { get; set; }

        public long Delivery { get; set; }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await StealAsync(command, cancellationToken);
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await StealAsync(command, cancellationToken);
            return result;
        }

        private async Task StealAsync(DbCommand command, CancellationToken ct)
        {
            if (!Armed || !command.CommandText.Contains("UPDATE \"NotificationDelivery\"", StringComparison.Ordinal))
            {
                return;
            }

            Armed = false;
            await using var steal = command.Connection!.CreateCommand();
            steal.Transaction = command.Transaction;
            steal.CommandText = "UPDATE \"NotificationDelivery\" SET \"LeaseOwner\" = 'node-b' WHERE \"Id\" = @id";
            var id = steal.CreateParameter();
            id.ParameterName = "@id";
            id.Value = Delivery;
            steal.Parameters.Add(id);
            await steal.ExecuteNonQueryAsync(ct);
        }
    }
}
