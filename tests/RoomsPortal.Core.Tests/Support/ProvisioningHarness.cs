using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Core.Tests.Support;

/// <summary>The provisioning services over a fresh database (see <see cref="TestDatabase"/>), with fake time and a recorded notifier.</summary>
public sealed class ProvisioningHarness : IAsyncDisposable
{
    private ProvisioningHarness(TestDatabase database)
    {
        Database = database;
        var protection = new EphemeralDataProtectionProvider();
        Protector = new SignInDataProtector(protection);
        Keys = new StaticOtpKeyProvider(RandomNumberGenerator.GetBytes(32));
        Notifier = new InProcessProvisioningNotifier(NullLogger<InProcessProvisioningNotifier>.Instance);
        Notifier.Subscribe(Events.Enqueue);
        RoomGroups = new RoomGroupService(database, Time);
        Accounts = new ResourceAccountService(database, Protector, Time);
        Preferences = new PreferencesService(database, Time);
        Otps = new OtpService(database, Keys, Protector, Notifier, Time);
        Approvals = new ApprovalService(database, Keys, Protector, Notifier, Time);
        ManualSetup = new ManualSetupService(database, Protector, Notifier, Time);
        Audit = new AuditService(database, Time);
        Dashboard = new DashboardService(database, Time);
    }

    public static Actor Admin { get; } = Actor.User("admin-1", "Ada Admin");

    public static DeviceInfo Console1 { get; } = new("SN-0001", "Contoso", "RoomConsole 10", "1.4.2");

    public static DeviceInfo Console2 { get; } = new("SN-0002", "Contoso", "RoomConsole 10", "1.4.2");

    public TestDatabase Database { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));

    public SignInDataProtector Protector { get; }

    public StaticOtpKeyProvider Keys { get; }

    public InProcessProvisioningNotifier Notifier { get; }

    /// <summary>The events delivered so far; delivery is asynchronous, so <see cref="DeliveredAsync"/> first.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<ProvisioningEvent> Events { get; } = new();

    /// <summary>Waits until every event published so far has reached <see cref="Events"/> (and every other subscriber).</summary>
    public Task DeliveredAsync() => Notifier.FlushAsync(TestContext.Current.CancellationToken);

    /// <summary>Forgets the events published so far, once they are delivered.</summary>
    public async Task ClearEventsAsync()
    {
        await DeliveredAsync();
        Events.Clear();
    }

    public RoomGroupService RoomGroups { get; }

    public ResourceAccountService Accounts { get; }

    public PreferencesService Preferences { get; }

    public OtpService Otps { get; }

    public ApprovalService Approvals { get; }

    public ManualSetupService ManualSetup { get; }

    public AuditService Audit { get; }

    public DashboardService Dashboard { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<ProvisioningHarness> CreateAsync(params IInterceptor[] interceptors) => new(await TestDatabase.CreateAsync(interceptors));

    public async Task<RoomGroup> GroupAsync(string name) => (await RoomGroups.CreateAsync(name, Admin, Ct)).Value!;

    /// <summary>Imports accounts (one per UPN) into <paramref name="group"/>, with a password.</summary>
    public async Task<IReadOnlyList<ResourceAccountView>> AccountsAsync(RoomGroup group, params string[] upns)
    {
        var csv = "upn,display name,room group,password\n"
            + string.Concat(upns.Select(u => $"{u},Room {u.Split('@')[0]},{group.Name},Initial-Pass-1\n"));
        var result = await Accounts.ImportAsync(csv, Admin, AccessScope.All, Ct);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var views = new List<ResourceAccountView>();
        foreach (var upn in upns)
        {
            await using var db = Database.CreateDbContext();
            var id = await db.Set<ResourceAccount>().Where(a => a.Upn == upn).Select(a => a.Id).SingleAsync(Ct);
            views.Add((await Accounts.GetAsync(id, AccessScope.All, Ct))!);
        }

        return views;
    }

    public async Task<OtpBatch> GenerateAsync(params Guid[] accountIds)
    {
        var result = await Otps.GenerateAsync(new OtpBatchRequest(accountIds, OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, Ct);
        Assert.True(result.Succeeded, result.Error.ToString());
        return result.Value!;
    }

    /// <summary>A room group with one ready account and its OTP.</summary>
    public async Task<(RoomGroup Group, ResourceAccountView Account, IssuedOtp Otp)> OneOtpAsync(string groupName = "Building 1")
    {
        var group = await GroupAsync(groupName);
        var account = (await AccountsAsync(group, $"room1@{groupName.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant()}.example.com"))[0];
        var batch = await GenerateAsync(account.Id);
        return (group, account, batch.Items[0]);
    }

    public async Task SetAutoApprovalAsync(bool on, params string[] serials)
    {
        var current = await Preferences.GetAsync(Ct);
        var result = await Preferences.UpdateAsync(current with { AutoApproval = on, PreRegisteredSerials = serials }, Admin, Ct);
        Assert.True(result.Succeeded);
    }

    public async Task<int> AuditCountAsync(string operation)
    {
        await using var db = Database.CreateDbContext();
        return await db.Set<AuditEntry>().CountAsync(e => e.Operation == operation, Ct);
    }

    public async Task<int> AuditTotalAsync()
    {
        await using var db = Database.CreateDbContext();
        return await db.Set<AuditEntry>().CountAsync(Ct);
    }

    public async Task<ResourceAccount> AccountRowAsync(Guid id)
    {
        await using var db = Database.CreateDbContext();
        return await db.Set<ResourceAccount>().AsNoTracking().SingleAsync(a => a.Id == id, Ct);
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
