using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.Notifications;

/// <summary>
/// One row of the notification outbox: something happened that channels may hear of. Written in the same unit of work
/// as the change, so an event exists exactly when its change committed. The payload is the summary a channel sends
/// (JSON): never a code, a password or a secret.
/// </summary>
public sealed class NotificationEvent
{
    public const int TypeMaxLength = 64;
    public const int DedupKeyMaxLength = Verification.DeviceLimits.KeyMaxLength;
    public const int SourceAddressMaxLength = 64;

    /// <summary>The sequence number (database identity): the order channels receive events in.</summary>
    public long Id { get; set; }

    /// <summary>A stable id for receivers to de-duplicate on (sent as <c>id</c> and <c>RoomsPortal-Event-Id</c>).</summary>
    public Guid EventId { get; set; }

    public required string Type { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The room group the event concerns; null for events about no room group (a console that failed verification).</summary>
    public Guid? RoomGroupId { get; set; }

    /// <summary>The approval request the event concerns, when it concerns one (for the deep link).</summary>
    public Guid? RequestId { get; set; }

    /// <summary>What rate-limited events compare on (verification failures: the console); null for the others.</summary>
    public string? DedupKey { get; set; }

    /// <summary>The network address the event came from, for events capped per address (verification failures); else null.</summary>
    public string? SourceAddress { get; set; }

    /// <summary>The event's data as JSON (<see cref="RequestSummary"/>, <see cref="ConsoleSummary"/>, <see cref="OtpExpirySummary"/>).</summary>
    public required string Payload { get; set; }
}

/// <summary>The event types (stable strings: receivers switch on them, channels subscribe to them).</summary>
public static class NotificationEventTypes
{
    public const string RequestPending = "request.pending";
    public const string RequestDecided = "request.decided";
    public const string RequestExpired = "request.expired";
    public const string VerificationFailed = "verification.failed";
    public const string OtpExpiring = "otp.expiring";
    public const string Lockout = "lockout";

    /// <summary>Sent only to the channel an admin tests from Settings &gt; Notifications.</summary>
    public const string Test = "test";

    /// <summary>The types a channel can subscribe to.</summary>
    public static IReadOnlyList<string> Subscribable { get; } =
        [RequestPending, RequestDecided, RequestExpired, VerificationFailed, OtpExpiring, Lockout];

    /// <summary>What people read.</summary>
    public static string DisplayName(string type) => type switch
    {
        RequestPending => "Request pending",
        RequestDecided => "Request decided",
        RequestExpired => "Request expired unanswered",
        VerificationFailed => "Verification failure",
        OtpExpiring => "OTP about to expire unused",
        Lockout => "Console locked out",
        Test => "Test event",
        _ => type,
    };
}

internal sealed class NotificationEventConfiguration : IEntityTypeConfiguration<NotificationEvent>
{
    public void Configure(EntityTypeBuilder<NotificationEvent> builder)
    {
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.HasIndex(e => e.EventId).IsUnique();
        builder.Property(e => e.Type).HasMaxLength(NotificationEvent.TypeMaxLength).IsRequired();
        builder.Property(e => e.DedupKey).HasMaxLength(NotificationEvent.DedupKeyMaxLength);
        builder.Property(e => e.Payload).IsRequired();
        builder.Property(e => e.SourceAddress).HasMaxLength(NotificationEvent.SourceAddressMaxLength);
        builder.HasIndex(e => new { e.Type, e.DedupKey, e.OccurredAt });
        builder.HasIndex(e => new { e.Type, e.SourceAddress, e.OccurredAt });
        builder.HasIndex(e => e.OccurredAt);
    }
}
