using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.Notifications;

/// <summary>Where one event stands on one channel.</summary>
public enum DeliveryStatus
{
    /// <summary>Not tried yet, or queued again by Redeliver.</summary>
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>The last attempt failed; another is due at <see cref="NotificationDelivery.NextAttemptAt"/>.</summary>
    Failed,

    /// <summary>Given up (the channel was disabled after a day of failures); Redeliver queues it again.</summary>
    Dead,
}

/// <summary>
/// One event on one channel: the delivery log's row. Created in the event's unit of work for every enabled channel that
/// wants it. A dispatcher takes it by a lease (a conditional UPDATE on an expired lease), so with several portal nodes
/// exactly one of them attempts it at a time, and the channel's deliveries go out in event order.
/// </summary>
public sealed class NotificationDelivery
{
    public const int ErrorMaxLength = 500;

    public long Id { get; set; }

    public Guid ChannelId { get; set; }

    /// <summary>The event's sequence number (<see cref="NotificationEvent.Id"/>).</summary>
    public long EventSequence { get; set; }

    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>The HTTP status of the last attempt (or the SMTP reply code), if there was an answer.</summary>
    public int? LastResponseCode { get; set; }

    /// <summary>What went wrong last, without secrets (no URL query, no credentials).</summary>
    public string? LastError { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public NotificationChannel? Channel { get; set; }

    public NotificationEvent? Event { get; set; }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedOnAdd();
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(NotificationDelivery.ErrorMaxLength);
        builder.Property(d => d.LeaseOwner).HasMaxLength(100);
        builder.HasOne(d => d.Channel).WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(d => d.Event).WithMany().HasForeignKey(d => d.EventSequence).OnDelete(DeleteBehavior.Cascade);
        // One delivery per event per channel, whatever races.
        builder.HasIndex(d => new { d.ChannelId, d.EventSequence }).IsUnique();
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
    }
}
