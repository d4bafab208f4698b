using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Web.Infrastructure;

namespace RoomsPortal.Web.Tests.Database;

/// <summary>
/// The portal's context registration (<c>DatabaseSetup.AddPortalDatabase</c>, SQLite file) pools its contexts: one
/// given back is lent again, clean, to the Core services and to ASP.NET Core Identity's request-scoped stores alike.
/// Built on its own, without the portal's background services, so nothing else leases a context between two steps.
/// </summary>
public sealed class ContextPoolTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "roomsportal-pool-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider _services = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IDbContextFactory<PortalDbContext> Factory => _services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    public async ValueTask InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddOptions<DatabaseOptions>();
        services.AddSingleton(new DataDirectory(_folder));
        services.AddSingleton<NotificationOutboxSignal>();
        services.AddSingleton<NotificationOutboxInterceptor>();
        services.AddPortalDatabase();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await using var db = await Factory.CreateDbContextAsync(Ct);
        await db.Database.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_context_given_back_is_lent_again_instead_of_a_new_one()
    {
        DbContextId first;
        await using (var db = await Factory.CreateDbContextAsync(Ct))
        {
            first = db.ContextId;
        }

        await using var again = await Factory.CreateDbContextAsync(Ct);

        Assert.Equal(first.InstanceId, again.ContextId.InstanceId);
        Assert.Equal(first.Lease + 1, again.ContextId.Lease);
    }

    [Fact]
    public async Task A_context_given_back_mid_transaction_comes_back_without_the_transaction_its_writes_or_its_tracked_rows()
    {
        DbContextId first;
        await using (var db = await Factory.CreateDbContextAsync(Ct))
        {
            first = db.ContextId;
            db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
            // As a unit of work that fails before its commit: inside the execution strategy, the transaction left open.
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await db.Database.BeginTransactionAsync(Ct);
                db.RoomGroups.Add(new RoomGroup { Id = Guid.NewGuid(), Name = "Never committed", CreatedAt = DateTimeOffset.UtcNow });
                await db.SaveChangesAsync(Ct);
                db.RoomGroups.Add(new RoomGroup { Id = Guid.NewGuid(), Name = "Never saved", CreatedAt = DateTimeOffset.UtcNow });
            });
            Assert.NotNull(db.Database.CurrentTransaction);
        }

        await using var again = await Factory.CreateDbContextAsync(Ct);

        Assert.Equal(first.InstanceId, again.ContextId.InstanceId);
        Assert.Null(again.Database.CurrentTransaction);
        Assert.Empty(again.ChangeTracker.Entries());
        Assert.Equal(QueryTrackingBehavior.TrackAll, again.ChangeTracker.QueryTrackingBehavior);
        Assert.Equal(0, await again.RoomGroups.CountAsync(Ct));
    }

    [Fact]
    public async Task The_request_scoped_context_Identity_uses_is_leased_from_the_same_pool()
    {
        DbContextId scoped;
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.Same(db, scope.ServiceProvider.GetRequiredService<PortalDbContext>());
            scoped = db.ContextId;
            Assert.Equal(0, await db.Users.CountAsync(Ct));
        }

        await using var next = await Factory.CreateDbContextAsync(Ct);

        Assert.Equal(scoped.InstanceId, next.ContextId.InstanceId);
    }
}
