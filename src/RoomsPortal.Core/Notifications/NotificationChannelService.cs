using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Notifications;

/// <summary>A channel to add (Settings &gt; Notifications).</summary>
/// <param name="Kind">Webhook, Teams or Email.</param>
/// <param name="Name">What people call it; unique.</param>
/// <param name="Target">The URL (Webhook, Teams); ignored for Email.</param>
/// <param name="RoomGroupIds">Null or empty for every room group.</param>
/// <param name="EventTypes">The <see cref="NotificationEventTypes"/> it subscribes to.</param>
/// <param name="DigestMinutes">Email only: 0, one message per event, or a digest every 15, 60 or 1440 minutes (<see cref="NotificationDigests"/>).</param>
public sealed record NewNotificationChannel(
    NotificationChannelKind Kind, string Name, string? Target, IReadOnlyCollection<Guid>? RoomGroupIds,
    IReadOnlyCollection<string> EventTypes, int DigestMinutes = 0)
{
    // The target may carry a credential (a Teams URL's path or query): print its host only.
    public override string ToString() =>
        $"NewNotificationChannel {{ Kind = {Kind}, Name = {Name}, Target = {NotificationTargets.Redacted(Target)}, EventTypes = {string.Join(",", EventTypes ?? [])} }}";
}

/// <summary>A channel as the page lists it: never the URL's query or the secret.</summary>
public sealed record NotificationChannelView(
    Guid Id, NotificationChannelKind Kind, string Name, string TargetDisplay, IReadOnlyList<Guid>? RoomGroupIds,
    IReadOnlyList<string> EventTypes, bool Enabled, string? DisabledReason, int DigestMinutes, string CreatedBy, DateTimeOffset CreatedAt,
    DeliveryStatus? LastStatus, DateTimeOffset? LastAttemptAt, int? LastResponseCode);

/// <summary>A line of a channel's delivery log.</summary>
public sealed record DeliveryView(
    long Id, long EventSequence, Guid EventId, string EventType, DateTimeOffset OccurredAt, DeliveryStatus Status, int Attempts,
    DateTimeOffset? LastAttemptAt, DateTimeOffset NextAttemptAt, DateTimeOffset? DeliveredAt, int? LastResponseCode, string? LastError);

/// <summary>A new channel, and its signing secret (webhooks), shown once.</summary>
public sealed record CreatedChannel(NotificationChannelView Channel, string? Secret)
{
    // The generated ToString would print the secret.
    public override string ToString() => $"CreatedChannel {{ Channel = {Channel.Name} ({Channel.Kind}, {Channel.TargetDisplay}), Secret = {(Secret is null ? "(none)" : "***")} }}";
}

/// <summary>Why a channel change was refused; <see cref="NotificationChannelService.Describe"/> says what to do.</summary>
public enum ChannelError
{
    InvalidName,
    DuplicateName,
    InvalidTarget,
    NoEventTypes,
    UnknownEventType,
    RoomGroupNotFound,
    InvalidDigest,
    PortalUrlMissing,
    NotAWebhook,
    NotFound,
    ChannelDisabled,

    /// <summary>A node holds the delivery's lease: it is being sent right now.</summary>
    DeliveryInFlight,
}

/// <summary>Settings &gt; Notifications: channels, their secrets, test events and the delivery log. Every change is audited in its unit of work.</summary>
public sealed partial class NotificationChannelService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IDataProtectionProvider protection,
    IOptions<NotificationOptions> options,
    TimeProvider time)
{
    private const string TargetPurpose = "RoomsPortal.Notifications.Target.v1";
    private const string SecretPurpose = "RoomsPortal.Notifications.WebhookSecret.v1";
    private const string SecretPrefix = "whsec_";

    private readonly IDataProtector _targets = protection.CreateProtector(TargetPurpose);
    private readonly IDataProtector _secrets = protection.CreateProtector(SecretPurpose);

    /// <summary>What the admin should do about <paramref name="error"/>.</summary>
    public static string Describe(ChannelError error) => error switch
    {
        ChannelError.InvalidName => $"Enter a name of 1 to {NotificationChannel.NameMaxLength} characters, without control characters.",
        ChannelError.DuplicateName => "A channel with this name exists: choose another name.",
        ChannelError.InvalidTarget => "Enter the receiver's https address.",
        ChannelError.NoEventTypes => "Choose at least one event.",
        ChannelError.UnknownEventType => "Choose events from the list.",
        ChannelError.RoomGroupNotFound => "A chosen room group no longer exists: reload and choose again.",
        ChannelError.InvalidDigest => $"Choose a digest interval of {NotificationDigests.AllowedText} minutes (0: one email per event); only email channels have digests.",
        ChannelError.PortalUrlMissing => $"Set {NotificationOptions.Section}:PortalUrl to the portal's public address first: notifications link to it.",
        ChannelError.NotAWebhook => "Only webhook channels have a signing secret.",
        ChannelError.NotFound => "The channel or delivery no longer exists: reload the page.",
        ChannelError.ChannelDisabled => "Enable the channel first.",
        ChannelError.DeliveryInFlight => "This delivery is being sent right now: wait for its outcome in the log (reload), then redeliver it if you still need to.",
        _ => error.ToString(),
    };

    /// <summary>Checks the target URL against the SSRF policy; null when fine, else what to fix.</summary>
    public string? TargetProblem(string? url) => NotificationTargets.Problem(url, options.Value.AllowPrivateTargets);

    public async Task<Result<CreatedChannel, ChannelError>> CreateAsync(NewNotificationChannel input, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(actor);
        var name = input.Name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > NotificationChannel.NameMaxLength || !TextRules.IsCleanName(name))
        {
            return ChannelError.InvalidName;
        }

        if (options.Value.PortalUrl is null)
        {
            return ChannelError.PortalUrlMissing;
        }

        var types = input.EventTypes.Distinct(StringComparer.Ordinal).ToList();
        if (types.Count == 0)
        {
            return ChannelError.NoEventTypes;
        }

        if (types.Any(t => !NotificationEventTypes.Subscribable.Contains(t)))
        {
            return ChannelError.UnknownEventType;
        }

        string? target = null;
        string display;
        if (input.Kind == NotificationChannelKind.Email)
        {
            if (!NotificationDigests.IsAllowed(input.DigestMinutes))
            {
                return ChannelError.InvalidDigest;
            }

            display = "Users whose role and room groups cover the event";
        }
        else
        {
            if (input.DigestMinutes != 0)
            {
                return ChannelError.InvalidDigest;
            }

            if (TargetProblem(input.Target) is not null)
            {
                return ChannelError.InvalidTarget;
            }

            target = input.Target!.Trim();
            display = NotificationTargets.Display(new Uri(target));
        }

        var groups = input.RoomGroupIds is { Count: > 0 } g ? g.Distinct().ToList() : null;
        var secret = input.Kind == NotificationChannelKind.Webhook ? NewSecret() : null;
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync<Result<CreatedChannel, ChannelError>>(async (db, token) =>
        {
            if (await db.Set<NotificationChannel>().AnyAsync(c => c.Name == name, token))
            {
                return ChannelError.DuplicateName;
            }

            if (groups is not null && await db.RoomGroups.CountAsync(r => groups.Contains(r.Id), token) != groups.Count)
            {
                return ChannelError.RoomGroupNotFound;
            }

            var channel = new NotificationChannel
            {
                Id = Guid.NewGuid(),
                Kind = input.Kind,
                Name = name,
                TargetProtected = target is null ? null : _targets.Protect(target),
                TargetDisplay = display,
                SecretProtected = secret is null ? null : _secrets.Protect(secret),
                RoomGroupIds = groups is null ? null : string.Join(',', groups),
                EventTypes = string.Join(',', types),
                Enabled = true,
                DigestMinutes = input.Kind == NotificationChannelKind.Email ? input.DigestMinutes : 0,
                CreatedBy = actor.DisplayName,
                CreatedAt = now,
                SecretRotatedAt = secret is null ? null : now,
            };
            db.Add(channel);
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Notifications, AuditOperations.ChannelCreated, $"Channel {name}",
                details: $"{input.Kind} to {display}; events {channel.EventTypes}; room groups {(groups is null ? "all" : channel.RoomGroupIds)}"
                    + (channel.DigestMinutes > 0 ? $"; digest every {channel.DigestMinutes} minutes" : "")));
            await db.SaveChangesAsync(token);
            return new CreatedChannel(View(channel, null), secret);
        }, ct);
    }

    public async Task<IReadOnlyList<NotificationChannelView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var channels = await db.Set<NotificationChannel>().AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct);
        var last = await db.Set<NotificationDelivery>().AsNoTracking()
            .Where(d => d.LastAttemptAt != null)
            .GroupBy(d => d.ChannelId)
            .Select(g => g.OrderByDescending(d => d.LastAttemptAt).First())
            .ToListAsync(ct);
        return [.. channels.Select(c => View(c, last.FirstOrDefault(d => d.ChannelId == c.Id)))];
    }

    public async Task<Result<bool, ChannelError>> SetEnabledAsync(Guid channelId, bool enabled, Actor actor, CancellationToken ct = default) =>
        await ChangeAsync(channelId, actor, enabled ? AuditOperations.ChannelEnabled : AuditOperations.ChannelDisabled, (db, channel, now, _) =>
        {
            channel.Enabled = enabled;
            channel.DisabledReason = null;
            channel.FailingSince = null;
            return Task.FromResult<Result<bool, ChannelError>>(true);
        }, ct);

    /// <summary>A new signing secret for a webhook channel; the old one stops signing at once. The secret is shown once.</summary>
    public async Task<Result<string, ChannelError>> RotateSecretAsync(Guid channelId, Actor actor, CancellationToken ct = default)
    {
        var secret = NewSecret();
        return await ChangeAsync(channelId, actor, AuditOperations.ChannelSecretRotated, (db, channel, now, _) =>
        {
            if (channel.Kind != NotificationChannelKind.Webhook)
            {
                return Task.FromResult<Result<string, ChannelError>>(ChannelError.NotAWebhook);
            }

            channel.SecretProtected = _secrets.Protect(secret);
            channel.SecretRotatedAt = now;
            return Task.FromResult<Result<string, ChannelError>>(secret);
        }, ct);
    }

    /// <summary>Deletes the channel and its delivery log.</summary>
    public async Task<Result<bool, ChannelError>> DeleteAsync(Guid channelId, Actor actor, CancellationToken ct = default) =>
        await ChangeAsync(channelId, actor, AuditOperations.ChannelDeleted, (db, channel, now, _) =>
        {
            db.Remove(channel);
            return Task.FromResult<Result<bool, ChannelError>>(true);
        }, ct);

    /// <summary>Queues a test event for this channel alone.</summary>
    public async Task<Result<Guid, ChannelError>> SendTestAsync(Guid channelId, Actor actor, CancellationToken ct = default) =>
        await ChangeAsync(channelId, actor, AuditOperations.ChannelTested, (db, channel, now, _) =>
        {
            if (!channel.Enabled)
            {
                return Task.FromResult<Result<Guid, ChannelError>>(ChannelError.ChannelDisabled);
            }

            var evt = NotificationOutbox.AddTest(db, channel.Id, channel.Name, actor.DisplayName, now, channel.DigestMinutes);
            return Task.FromResult<Result<Guid, ChannelError>>(evt.EventId);
        }, ct);

    /// <summary>
    /// Queues a delivery again (from the log): attempted at once, in its place in the channel's order. Refused while a
    /// node holds its lease (it is being sent): taking the lease away would let a second node send it at the same time.
    /// The check and the change are one conditional UPDATE, so a dispatcher that claims it a moment earlier wins.
    /// </summary>
    public async Task<Result<bool, ChannelError>> RedeliverAsync(long deliveryId, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync<Result<bool, ChannelError>>(async (db, token) =>
        {
            var delivery = await db.Set<NotificationDelivery>().AsNoTracking()
                .Where(d => d.Id == deliveryId)
                .Select(d => new { d.Attempts, Channel = d.Channel!.Name, d.Channel.Enabled, d.Event!.EventId, d.Event.Type })
                .FirstOrDefaultAsync(token);
            if (delivery is null)
            {
                return ChannelError.NotFound;
            }

            if (!delivery.Enabled)
            {
                return ChannelError.ChannelDisabled;
            }

            var queued = await db.Set<NotificationDelivery>()
                .Where(d => d.Id == deliveryId && (d.LeaseUntil == null || d.LeaseUntil < now))
                .ExecuteUpdateAsync(d => d
                    .SetProperty(x => x.Status, DeliveryStatus.Pending)
                    .SetProperty(x => x.NextAttemptAt, now)
                    .SetProperty(x => x.LeaseOwner, (string?)null)
                    .SetProperty(x => x.LeaseUntil, (DateTimeOffset?)null), token);
            if (queued == 0)
            {
                return ChannelError.DeliveryInFlight;
            }

            db.Add(AuditEntry.Create(now, actor, AuditCategory.Notifications, AuditOperations.DeliveryRequeued, $"Channel {delivery.Channel}",
                details: $"Event {delivery.EventId} ({delivery.Type}) queued again after {delivery.Attempts} attempts"));
            await db.SaveChangesAsync(token);
            return true;
        }, ct);
    }

    /// <summary>A channel's delivery log, newest event first.</summary>
    public async Task<PagedResult<DeliveryView>> ListDeliveriesAsync(Guid channelId, int page, int pageSize, CancellationToken ct = default)
    {
        var (p, size) = Paging.Clamp(page, pageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = db.Set<NotificationDelivery>().AsNoTracking().Where(d => d.ChannelId == channelId);
        var total = await rows.CountAsync(ct);
        var items = await rows.OrderByDescending(d => d.EventSequence).Skip((p - 1) * size).Take(size)
            .Select(d => new DeliveryView(d.Id, d.EventSequence, d.Event!.EventId, d.Event.Type, d.Event.OccurredAt, d.Status, d.Attempts,
                d.LastAttemptAt, d.NextAttemptAt, d.DeliveredAt, d.LastResponseCode, d.LastError))
            .ToListAsync(ct);
        return new PagedResult<DeliveryView>(items, total, p, size);
    }

    internal string UnprotectTarget(string value) => _targets.Unprotect(value);

    internal string UnprotectSecret(string value) => _secrets.Unprotect(value);

    private async Task<Result<T, ChannelError>> ChangeAsync<T>(
        Guid channelId, Actor actor, string operation,
        Func<PortalDbContext, NotificationChannel, DateTimeOffset, CancellationToken, Task<Result<T, ChannelError>>> change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync<Result<T, ChannelError>>(async (db, token) =>
        {
            var channel = await db.Set<NotificationChannel>().FirstOrDefaultAsync(c => c.Id == channelId, token);
            if (channel is null)
            {
                return ChannelError.NotFound;
            }

            var result = await change(db, channel, now, token);
            if (!result.Succeeded)
            {
                return result;
            }

            db.Add(AuditEntry.Create(now, actor, AuditCategory.Notifications, operation, $"Channel {channel.Name}",
                details: $"{channel.Kind} to {channel.TargetDisplay}"));
            await db.SaveChangesAsync(token);
            return result;
        }, ct);
    }

    private static string NewSecret() => SecretPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    internal static NotificationChannelView View(NotificationChannel c, NotificationDelivery? last) => new(
        c.Id, c.Kind, c.Name, c.TargetDisplay, c.RoomGroupList, c.EventTypeList, c.Enabled, c.DisabledReason, c.DigestMinutes,
        c.CreatedBy, c.CreatedAt, last?.Status, last?.LastAttemptAt, last?.LastResponseCode);
}
