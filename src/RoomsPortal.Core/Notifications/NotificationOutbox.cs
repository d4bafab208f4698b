using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Notifications;

/// <summary>
/// Writes outbox rows inside the caller's unit of work: the event, and one delivery for every enabled channel that
/// subscribes to its type and covers its room group. Nothing leaves the process here; the dispatcher sends after the
/// commit. The unit of work may run twice (retrying strategies): each attempt starts from a clear change tracker, so
/// the rows are written once.
/// </summary>
internal static class NotificationOutbox
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // Every redemption and decision writes an event (compiled once: the console path does not rebuild these per call).
    private static readonly Func<PortalDbContext, IAsyncEnumerable<NotificationChannel>> EnabledChannelsQuery =
        EF.CompileAsyncQuery((PortalDbContext db) => db.Set<NotificationChannel>().AsNoTracking().Where(c => c.Enabled));

    private static readonly Func<PortalDbContext, Guid, CancellationToken, Task<string?>> GroupNameQuery =
        EF.CompileAsyncQuery((PortalDbContext db, Guid groupId, CancellationToken ct) =>
            db.RoomGroups.AsNoTracking().Where(g => g.Id == groupId).Select(g => g.Name).FirstOrDefault());

    /// <summary>Adds the event and its deliveries to <paramref name="db"/> (saved by the caller's SaveChanges); <paramref name="sourceAddress"/> at most <see cref="NotificationEvent.SourceAddressMaxLength"/>.</summary>
    public static async Task<NotificationEvent> AddAsync(
        PortalDbContext db, string type, Guid? roomGroupId, Guid? requestId, object data, DateTimeOffset now, CancellationToken ct,
        string? dedupKey = null, string? sourceAddress = null)
    {
        var evt = new NotificationEvent
        {
            EventId = Guid.NewGuid(),
            Type = type,
            OccurredAt = now,
            RoomGroupId = roomGroupId,
            RequestId = requestId,
            DedupKey = dedupKey,
            SourceAddress = sourceAddress,
            Payload = JsonSerializer.Serialize(data, data.GetType(), Json),
        };
        db.Add(evt);
        var channels = await EnabledChannelsQuery(db).ToListAsync(ct);
        foreach (var channel in channels.Where(c => c.Wants(type, roomGroupId)))
        {
            db.Add(NewDelivery(channel.Id, evt, now, channel.DigestMinutes));
        }

        return evt;
    }

    /// <summary>A test event for one channel only (a digest channel sends it in its next digest).</summary>
    public static NotificationEvent AddTest(PortalDbContext db, Guid channelId, string channelName, string actorName, DateTimeOffset now, int digestMinutes = 0)
    {
        var evt = new NotificationEvent
        {
            EventId = Guid.NewGuid(),
            Type = NotificationEventTypes.Test,
            OccurredAt = now,
            Payload = JsonSerializer.Serialize(new TestSummary(channelName, actorName), Json),
        };
        db.Add(evt);
        db.Add(NewDelivery(channelId, evt, now, digestMinutes));
        return evt;
    }

    /// <summary>A request event built from a request the caller holds (redemption, before its first save).</summary>
    public static Task AddRequestAsync(
        PortalDbContext db, string type, ApprovalRequest request, ResourceAccount account, string? decidedBy, DateTimeOffset now, CancellationToken ct) =>
        AddRequestCoreAsync(db, type, request, account.Upn, account.DisplayName, decidedBy, now, ct);

    /// <summary>A request event built from what the transaction sees now (after the caller's conditional UPDATE).</summary>
    public static async Task AddRequestAsync(PortalDbContext db, string type, Guid requestId, string? decidedBy, DateTimeOffset now, CancellationToken ct)
    {
        var row = await db.Set<ApprovalRequest>().AsNoTracking()
            .Where(r => r.Id == requestId)
            .Select(r => new { Request = r, r.ResourceAccount!.Upn, r.ResourceAccount.DisplayName })
            .FirstAsync(ct);
        await AddRequestCoreAsync(db, type, row.Request, row.Upn, row.DisplayName, decidedBy, now, ct);
    }

    private static async Task AddRequestCoreAsync(
        PortalDbContext db, string type, ApprovalRequest r, string upn, string accountName, string? decidedBy, DateTimeOffset now, CancellationToken ct)
    {
        var groupName = r.RoomGroupId is { } groupId ? await GroupNameQuery(db, groupId, ct) : null;
        var summary = new RequestSummary(
            r.Id, r.Status, upn, accountName, r.RoomGroupId, groupName, r.Make, r.Model, r.Serial, r.Firmware,
            r.RequestedAt, r.ExpiresAt, r.AutoApproved, r.DecidedAt, decidedBy, r.RejectReason, r.RejectNote);
        await AddAsync(db, type, r.RoomGroupId, r.Id, summary, now, ct);
    }

    // A digest channel's delivery is due at the end of its window (NotificationDigests).
    private static NotificationDelivery NewDelivery(Guid channelId, NotificationEvent evt, DateTimeOffset now, int digestMinutes) => new()
    {
        ChannelId = channelId,
        Event = evt,
        Status = DeliveryStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = NotificationDigests.DueAt(digestMinutes, now),
    };
}

/// <summary>The <c>data</c> of request events: what the approvals queue shows of a request (no code, no password).</summary>
public sealed record RequestSummary(
    Guid RequestId, ApprovalStatus Status, string Upn, string AccountName, Guid? RoomGroupId, string? RoomGroupName,
    string Make, string Model, string Serial, string? Firmware, DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt,
    bool AutoApproved, DateTimeOffset? DecidedAt, string? DecidedBy, RejectReason? RejectReason, string? RejectNote);

/// <summary>The <c>data</c> of <c>verification.failed</c> and <c>lockout</c>: the console and what happened.</summary>
public sealed record ConsoleSummary(
    string Make, string Model, string Serial, string? SourceAddress, string Reason, DateTimeOffset? LockedOutUntil = null, Guid? FailureId = null);

/// <summary>The <c>data</c> of <c>otp.expiring</c>: the account whose code runs out unused (never the code).</summary>
public sealed record OtpExpirySummary(Guid OtpId, Guid ResourceAccountId, string Upn, string AccountName, Guid? RoomGroupId, string? RoomGroupName, DateTimeOffset ExpiresAt);

/// <summary>The <c>data</c> of a test event.</summary>
public sealed record TestSummary(string Channel, string SentBy);
