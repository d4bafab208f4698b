using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Notifications;

/// <summary>Outbox rows are written by the unit of work that makes the change, and only for channels that want them.</summary>
public sealed class NotificationOutboxTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;
    private NotificationChannelService _channels = default!;

    public static NotificationOptions Settings { get; } = new() { PortalUrl = new Uri("https://portal.example.com/"), AllowPrivateTargets = false };

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync();
        _channels = new NotificationChannelService(_h.Database, new EphemeralDataProtectionProvider(), Options.Create(Settings), _h.Time);
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    private async Task<Guid> ChannelAsync(string name, IReadOnlyCollection<Guid>? groups = null, params string[] types)
    {
        var created = await _channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, name, "https://hooks.example.com/rooms?token=abc", groups,
            types.Length == 0 ? NotificationEventTypes.Subscribable : types), Admin, Ct);
        Assert.True(created.Succeeded, created.Error.ToString());
        Assert.StartsWith("whsec_", created.Value!.Secret, StringComparison.Ordinal);
        return created.Value.Channel.Id;
    }

    private async Task<List<(NotificationEvent Event, List<Guid> Channels)>> OutboxAsync()
    {
        await using var db = _h.Database.CreateDbContext();
        var events = await db.Set<NotificationEvent>().AsNoTracking().OrderBy(e => e.Id).ToListAsync(Ct);
        var deliveries = await db.Set<NotificationDelivery>().AsNoTracking().ToListAsync(Ct);
        return [.. events.Select(e => (e, deliveries.Where(d => d.EventSequence == e.Id).Select(d => d.ChannelId).ToList()))];
    }

    [Fact]
    public async Task Redemption_and_decision_write_pending_then_decided_for_the_channels_covering_the_room_group()
    {
        var (group, _, otp) = await _h.OneOtpAsync();
        var other = await _h.GroupAsync("Elsewhere");
        var all = await ChannelAsync("All groups");
        var mine = await ChannelAsync("Building 1 only", [group.Id]);
        await ChannelAsync("Other group", [other.Id]);
        await ChannelAsync("Decisions only", null, NotificationEventTypes.RequestDecided);

        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, Console1, "10.0.0.5", Ct);
        var approved = await _h.Approvals.ApproveAsync(redeemed.Value!.RequestId, Admin, AccessScope.All, Ct);
        Assert.True(approved.Succeeded);

        var outbox = await OutboxAsync();
        Assert.Equal([NotificationEventTypes.RequestPending, NotificationEventTypes.RequestDecided], outbox.Select(o => o.Event.Type));
        Assert.Equal(new[] { all, mine }.Order(), outbox[0].Channels.Order());
        Assert.Equal(3, outbox[1].Channels.Count);
        var data = JsonDocument.Parse(outbox[1].Event.Payload).RootElement;
        Assert.Equal("Approved", data.GetProperty("status").GetString());
        Assert.Equal("Ada Admin", data.GetProperty("decidedBy").GetString());
        Assert.Equal("SN-0001", data.GetProperty("serial").GetString());
        Assert.Equal(redeemed.Value.RequestId, outbox[1].Event.RequestId);
        // No code, no password, no secret in the outbox.
        Assert.DoesNotContain(otp.Code, outbox[0].Event.Payload, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Initial-Pass-1", outbox[0].Event.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_redemption_and_a_failed_decision_write_nothing_and_disabled_channels_get_no_delivery()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var channel = await ChannelAsync("Off");
        Assert.True((await _channels.SetEnabledAsync(channel, false, Admin, Ct)).Succeeded);

        var refused = await _h.Approvals.RedeemAsync("ZZZZ-ZZZZ-ZZZZ", Console1, null, Ct);
        Assert.False(refused.Succeeded);
        Assert.Empty(await OutboxAsync());

        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);
        await _h.Approvals.ApproveAsync(redeemed.Value!.RequestId, Admin, AccessScope.All, Ct);
        var again = await _h.Approvals.RejectAsync(redeemed.Value.RequestId, RejectReason.WrongRoom, null, Admin, AccessScope.All, Ct);
        Assert.Equal(DecisionError.AlreadyDecided, again.Error);

        var outbox = await OutboxAsync();
        Assert.Equal(2, outbox.Count);
        Assert.All(outbox, o => Assert.Empty(o.Channels));
    }

    [Fact]
    public async Task Auto_approval_expiry_and_supersession_write_their_events()
    {
        await ChannelAsync("All");
        var (_, account, otp) = await _h.OneOtpAsync();
        await _h.SetAutoApprovalAsync(true);
        await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);
        await _h.SetAutoApprovalAsync(false);

        var second = await _h.GenerateAsync(account.Id);
        var pending = await _h.Approvals.RedeemAsync(second.Items[0].Code, Console2, null, Ct);
        await _h.GenerateAsync(account.Id); // supersedes the pending request
        var third = (await _h.AccountsAsync(await _h.GroupAsync("B2"), "room9@b2.example.com"))[0];
        var expiring = await _h.GenerateAsync(third.Id);
        await _h.Approvals.RedeemAsync(expiring.Items[0].Code, Console1, null, Ct);
        _h.Time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(1, await _h.Approvals.ExpireDueAsync(Ct));

        var types = (await OutboxAsync()).Select(o => (o.Event.Type, JsonDocument.Parse(o.Event.Payload).RootElement.GetProperty("status").GetString())).ToList();
        Assert.Equal(
            [
                (NotificationEventTypes.RequestDecided, "Approved"),
                (NotificationEventTypes.RequestPending, "Pending"),
                (NotificationEventTypes.RequestDecided, "Rejected"),
                (NotificationEventTypes.RequestPending, "Pending"),
                (NotificationEventTypes.RequestExpired, "Expired"),
            ],
            types);
        Assert.NotNull(pending.Value);
    }

    [Fact]
    public async Task Otp_expiring_is_written_once_per_unused_code()
    {
        await ChannelAsync("All", null, NotificationEventTypes.OtpExpiring);
        var (_, account, _) = await _h.OneOtpAsync();
        var notices = new OtpExpiryNotices(_h.Database, _h.Time);
        Assert.Equal(0, await notices.WriteDueAsync(Ct));

        _h.Time.SetUtcNow((await NextExpiryAsync()) - TimeSpan.FromMinutes(30));
        Assert.Equal(1, await notices.WriteDueAsync(Ct));
        Assert.Equal(0, await notices.WriteDueAsync(Ct));

        var outbox = await OutboxAsync();
        Assert.Equal(NotificationEventTypes.OtpExpiring, Assert.Single(outbox).Event.Type);
        Assert.Single(outbox[0].Channels);
        Assert.Equal(account.Upn, JsonDocument.Parse(outbox[0].Event.Payload).RootElement.GetProperty("upn").GetString());
    }

    [Fact]
    public async Task Verification_failures_notify_once_an_hour_per_console_and_a_lockout_once()
    {
        await ChannelAsync("Security", null, NotificationEventTypes.VerificationFailed, NotificationEventTypes.Lockout);
        var verification = new DeviceVerificationService(_h.Database, _h.Time);
        var console = new DeviceIdentity("Contoso", "Unknown 1", "SN-7", "1.0");
        for (var i = 0; i < 3; i++)
        {
            Assert.False((await verification.VerifyAsync(console, null, "10.0.0.9", Ct)).Succeeded);
        }

        _h.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.False((await verification.VerifyAsync(console, null, "10.0.0.9", Ct)).Succeeded);

        for (var i = 0; i < DeviceLockout.MaxFailures + 2; i++)
        {
            await _h.Approvals.RedeemAsync("AAAA-BBBB-CCCC", Console1, null, Ct);
        }

        var types = (await OutboxAsync()).Select(o => o.Event.Type).ToList();
        Assert.Equal([NotificationEventTypes.VerificationFailed, NotificationEventTypes.VerificationFailed, NotificationEventTypes.Lockout], types);
    }

    [Fact]
    public async Task One_source_address_notifies_at_most_five_failures_an_hour_whatever_consoles_it_claims_to_be()
    {
        await ChannelAsync("Security", null, NotificationEventTypes.VerificationFailed);
        var verification = new DeviceVerificationService(_h.Database, _h.Time);
        for (var i = 0; i < DeviceVerificationService.FailureNotificationsPerAddress + 3; i++)
        {
            Assert.False((await verification.VerifyAsync(new DeviceIdentity("Contoso", "Unknown", $"SN-NOISY-{i}", null), null, "203.0.113.9", Ct)).Succeeded);
        }

        await verification.VerifyAsync(new DeviceIdentity("Contoso", "Unknown", "SN-QUIET", null), null, "203.0.113.10", Ct);
        var first = await OutboxAsync();
        _h.Time.Advance(DeviceVerificationService.FailureNotificationInterval + TimeSpan.FromMinutes(1));
        await verification.VerifyAsync(new DeviceIdentity("Contoso", "Unknown", "SN-NOISY-99", null), null, "203.0.113.9", Ct);

        var addresses = first.Select(o => JsonDocument.Parse(o.Event.Payload).RootElement.GetProperty("sourceAddress").GetString()).ToList();
        Assert.Equal(DeviceVerificationService.FailureNotificationsPerAddress, addresses.Count(a => a == "203.0.113.9"));
        Assert.Equal(1, addresses.Count(a => a == "203.0.113.10"));
        Assert.All(first, o => Assert.Single(o.Channels));
        // Every failure is still recorded for the Verification failures page; only the notifications are capped.
        await using var db = _h.Database.CreateDbContext();
        Assert.Equal(DeviceVerificationService.FailureNotificationsPerAddress + 5, await db.Set<VerificationFailure>().CountAsync(Ct));
        // An hour later the address may notify again.
        Assert.Equal(first.Count + 1, (await OutboxAsync()).Count);
    }

    [Fact]
    public async Task An_IPv6_network_counts_as_one_source_by_its_64_prefix()
    {
        await ChannelAsync("Security", null, NotificationEventTypes.VerificationFailed);
        var verification = new DeviceVerificationService(_h.Database, _h.Time);
        for (var i = 1; i <= DeviceVerificationService.FailureNotificationsPerAddress + 3; i++)
        {
            // A new address inside one /64 for every failure, as a script on one subscriber's network could take.
            await verification.VerifyAsync(new DeviceIdentity("Contoso", "Unknown", $"SN-V6-{i}", null), null, $"2001:db8:7:9::{i:x}", Ct);
        }

        await verification.VerifyAsync(new DeviceIdentity("Contoso", "Unknown", "SN-V6-OTHER", null), null, "2001:db8:7:a::1", Ct);
        await verification.VerifyAsync(new DeviceIdentity("Contoso", "Unknown", "SN-V4-MAPPED", null), null, "::ffff:203.0.113.44", Ct);

        var sources = (await OutboxAsync()).Select(o => o.Event.SourceAddress).ToList();
        Assert.Equal(DeviceVerificationService.FailureNotificationsPerAddress, sources.Count(a => a == "2001:db8:7:9::/64"));
        Assert.Equal(1, sources.Count(a => a == "2001:db8:7:a::/64"));
        Assert.Equal(1, sources.Count(a => a == "203.0.113.44"));
    }

    [Fact]
    public async Task Channel_validation_says_what_to_fix_and_changes_are_audited()
    {
        var bad = await _channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, "Internal", "https://10.1.2.3/hook", null, [NotificationEventTypes.RequestPending]), Admin, Ct);
        Assert.Equal(ChannelError.InvalidTarget, bad.Error);
        Assert.Contains("private network", _channels.TargetProblem("https://10.1.2.3/hook"), StringComparison.Ordinal);
        Assert.Contains("https://", _channels.TargetProblem("http://hooks.example.com/x"), StringComparison.Ordinal);
        Assert.Equal(ChannelError.NoEventTypes, (await _channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, "None", "https://hooks.example.com/", null, []), Admin, Ct)).Error);

        var id = await ChannelAsync("Hook");
        Assert.Equal(ChannelError.DuplicateName, (await _channels.CreateAsync(new NewNotificationChannel(
            NotificationChannelKind.Webhook, "Hook", "https://hooks.example.com/", null, [NotificationEventTypes.Lockout]), Admin, Ct)).Error);
        var rotated = await _channels.RotateSecretAsync(id, Admin, Ct);
        Assert.StartsWith("whsec_", rotated.Value, StringComparison.Ordinal);
        Assert.True((await _channels.SendTestAsync(id, Admin, Ct)).Succeeded);
        Assert.True((await _channels.DeleteAsync(id, Admin, Ct)).Succeeded);

        foreach (var op in new[] { AuditOperations.ChannelCreated, AuditOperations.ChannelSecretRotated, AuditOperations.ChannelTested, AuditOperations.ChannelDeleted })
        {
            Assert.Equal(1, await _h.AuditCountAsync(op));
        }

        // The URL's query (a Teams URL's credential) and the secret are stored protected, not in clear.
        await using var db = _h.Database.CreateDbContext();
        Assert.DoesNotContain(await db.Set<NotificationChannel>().AsNoTracking().ToListAsync(Ct), c => c.TargetProtected!.Contains("token=abc", StringComparison.Ordinal));
    }

    private async Task<DateTimeOffset> NextExpiryAsync()
    {
        await using var db = _h.Database.CreateDbContext();
        return await db.Set<Otps.OneTimePassword>().Select(o => o.ExpiresAt).FirstAsync(Ct);
    }
}
