using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

public sealed class NotifierPreferencesDashboardTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Notifier_delivers_to_every_subscriber_even_when_one_throws()
    {
        var notifier = new InProcessProvisioningNotifier(NullLogger<InProcessProvisioningNotifier>.Instance);
        var received = new List<ProvisioningEvent>();
        using var throwing = notifier.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        using var failingAsync = notifier.Subscribe(_ => Task.FromException(new InvalidOperationException("async bug")));
        using var good = notifier.Subscribe(received.Add);
        var change = new ApprovalRequestChanged(Guid.NewGuid(), null, ApprovalStatus.Pending, "SN-1");

        await notifier.PublishAsync(change);
        await notifier.FlushAsync(Ct);

        Assert.Equal([change], received);
    }

    [Fact]
    public async Task Notifier_stops_delivering_after_the_subscription_is_disposed()
    {
        var notifier = new InProcessProvisioningNotifier(NullLogger<InProcessProvisioningNotifier>.Instance);
        var received = new List<ProvisioningEvent>();
        var subscription = notifier.Subscribe(received.Add);

        subscription.Dispose();
        await notifier.PublishAsync(new OtpChanged(Guid.NewGuid(), Guid.NewGuid(), null, "Generated"));
        await notifier.FlushAsync(Ct);

        Assert.Empty(received);
    }

    [Fact]
    public async Task Preferences_default_to_eight_hours_and_auto_approval_off()
    {
        var prefs = await _h.Preferences.GetAsync(Ct);

        Assert.Equal((8, false), (prefs.OtpValidityHours, prefs.AutoApproval));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(336, true)]
    [InlineData(337, false)]
    public async Task Preferences_validity_must_be_between_1_and_336_hours(int hours, bool accepted)
    {
        var prefs = await _h.Preferences.GetAsync(Ct);

        var result = await _h.Preferences.UpdateAsync(prefs with { OtpValidityHours = hours }, Admin, Ct);

        Assert.Equal(accepted, result.Succeeded);
        Assert.Equal(accepted ? 1 : 0, await _h.AuditCountAsync(AuditOperations.PreferencesUpdated));
    }

    [Fact]
    public async Task Preferences_refuse_unknown_room_groups_and_keep_overrides_and_serials()
    {
        var group = await _h.GroupAsync("HQ");
        var prefs = await _h.Preferences.GetAsync(Ct);

        var unknown = await _h.Preferences.UpdateAsync(prefs with { RoomGroupOverrides = new Dictionary<Guid, bool> { [Guid.NewGuid()] = true } }, Admin, Ct);
        var saved = await _h.Preferences.UpdateAsync(
            prefs with { OtpValidityHours = 24, RoomGroupOverrides = new Dictionary<Guid, bool> { [group.Id] = true }, PreRegisteredSerials = ["sn-9", "SN-9 "] }, Admin, Ct);

        Assert.Equal(PreferencesError.UnknownRoomGroup, unknown.Error);
        var read = await _h.Preferences.GetAsync(Ct);
        Assert.Equal(24, read.OtpValidityHours);
        Assert.True(read.RoomGroupOverrides[group.Id]);
        Assert.Equal(["SN-9"], read.PreRegisteredSerials);
        Assert.True(saved.Succeeded);
    }

    [Fact]
    public async Task Preferences_can_be_saved_again_with_the_same_overrides_and_serials()
    {
        var group = await _h.GroupAsync("HQ");
        var other = await _h.GroupAsync("Branch");
        var prefs = (await _h.Preferences.GetAsync(Ct)) with
        {
            RoomGroupOverrides = new Dictionary<Guid, bool> { [group.Id] = true, [other.Id] = false },
            PreRegisteredSerials = ["SN-1", "SN-2"],
        };
        await _h.Preferences.UpdateAsync(prefs, Admin, Ct);

        var again = await _h.Preferences.UpdateAsync(
            prefs with { RoomGroupOverrides = new Dictionary<Guid, bool> { [group.Id] = false }, PreRegisteredSerials = ["SN-2", "SN-3"] }, Admin, Ct);

        Assert.True(again.Succeeded);
        var read = await _h.Preferences.GetAsync(Ct);
        Assert.Equal([KeyValuePair.Create(group.Id, false)], read.RoomGroupOverrides);
        Assert.Equal(["SN-2", "SN-3"], read.PreRegisteredSerials);
    }

    [Fact]
    public async Task Dashboard_counts_ready_accounts_active_otps_pending_approvals_and_daily_activity()
    {
        var group = await _h.GroupAsync("HQ");
        var accounts = await _h.AccountsAsync(group, "a@c.io", "b@c.io", "c@c.io");
        var batch = await _h.GenerateAsync([.. accounts.Select(a => a.Id)]);
        var first = await _h.Approvals.RedeemAsync(batch.Items[0].Code, Console1, null, Ct);
        await _h.Approvals.ApproveAsync(first.Value!.RequestId, Admin, AccessScope.All, Ct);
        await _h.Approvals.RedeemAsync(batch.Items[1].Code, Console2, null, Ct);
        _h.Time.Advance(TimeSpan.FromDays(1));
        await using (var db = _h.Database.CreateDbContext())
        {
            db.Add(new VerificationFailure { Id = Guid.NewGuid(), Make = "M", Model = "X", SerialNumber = "S", OccurredAtUtc = _h.Time.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(Ct);
        }

        await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console2, null, Ct);

        var figures = await _h.Dashboard.GetAsync(AccessScope.All, Ct);
        var other = await _h.Dashboard.GetAsync(AccessScope.ForRoomGroups([Guid.NewGuid()]), Ct);

        Assert.Equal((3, 0, 0, 1), (figures.ReadyAccounts, figures.ActiveOtps, figures.PendingApprovals, figures.VerificationFailuresLast24Hours));
        Assert.Equal(14, figures.LastDays.Count);
        Assert.Equal(new DailyCountsView(2, 1, 0), Day(figures, -1));
        Assert.Equal(new DailyCountsView(0, 0, 1), Day(figures, 0));
        Assert.Equal((0, 0), (other.ReadyAccounts, other.LastDays.Sum(d => d.Redemptions)));
    }

    [Fact]
    public void Add_core_services_registers_every_service()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.EntityFrameworkCore.IDbContextFactory<Persistence.PortalDbContext>>(_h.Database);
        services.AddSingleton<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        services.AddSingleton<Otps.IOtpKeyProvider>(_h.Keys);

        services.AddCoreServices();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(provider.GetRequiredService<ApprovalService>());
        Assert.NotNull(provider.GetRequiredService<IProvisioningNotifier>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    private static DailyCountsView Day(Core.Devices.DashboardFigures figures, int offset)
    {
        var day = figures.LastDays[^(1 - offset)];
        return new DailyCountsView(day.Redemptions, day.Approvals, day.Failures);
    }

    private sealed record DailyCountsView(int Redemptions, int Approvals, int Failures);
}
