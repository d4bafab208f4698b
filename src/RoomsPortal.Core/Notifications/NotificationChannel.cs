using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace RoomsPortal.Core.Notifications;

/// <summary>How a channel delivers.</summary>
public enum NotificationChannelKind
{
    /// <summary>A signed HTTPS POST of the event as JSON.</summary>
    Webhook,

    /// <summary>An Adaptive Card to a Microsoft Teams incoming webhook or Workflows URL.</summary>
    Teams,

    /// <summary>Email over SMTP to the portal users whose role and room groups cover the event.</summary>
    Email,
}

/// <summary>
/// Where notifications go. The target URL and the webhook signing secret are stored protected by Data Protection
/// (a Teams or Workflows URL carries its own signature in the query, so it is a secret as much as the signing key);
/// <see cref="TargetDisplay"/> is the URL without its query for people to read.
/// </summary>
public sealed class NotificationChannel
{
    public const int NameMaxLength = 100;
    public const int TargetMaxLength = 2000;
    public const int DisplayMaxLength = 300;

    public Guid Id { get; set; }

    public NotificationChannelKind Kind { get; set; }

    public required string Name { get; set; }

    /// <summary>The URL (Webhook, Teams), protected; null for Email.</summary>
    public string? TargetProtected { get; set; }

    /// <summary>The URL's scheme, host and path (no query), or the recipient rule of an email channel.</summary>
    public required string TargetDisplay { get; set; }

    /// <summary>The webhook signing secret, protected; null for other kinds.</summary>
    public string? SecretProtected { get; set; }

    /// <summary>Room group ids separated by commas; null for every room group.</summary>
    public string? RoomGroupIds { get; set; }

    /// <summary>Event types separated by commas (<see cref="NotificationEventTypes"/>).</summary>
    public required string EventTypes { get; set; }

    public bool Enabled { get; set; }

    /// <summary>Why the portal disabled the channel (a day of failures), or null.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>Email channels: collect events into one message every this many minutes (0: one message per event).</summary>
    public int DigestMinutes { get; set; }

    /// <summary>When the current run of failed attempts began; null after a success.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SecretRotatedAt { get; set; }

    public IReadOnlyList<Guid>? RoomGroupList => RoomGroupIds is null
        ? null
        : [.. RoomGroupIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)];

    public IReadOnlyList<string> EventTypeList => EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether an event of <paramref name="type"/> in <paramref name="roomGroupId"/> goes to this channel.</summary>
    public bool Wants(string type, Guid? roomGroupId) =>
        Enabled
        && EventTypeList.Contains(type, StringComparer.Ordinal)
        && (RoomGroupIds is null || (roomGroupId is { } id && RoomGroupIds.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase)));
}

internal sealed class NotificationChannelConfiguration : IEntityTypeConfiguration<NotificationChannel>
{
    public void Configure(EntityTypeBuilder<NotificationChannel> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Name).HasMaxLength(NotificationChannel.NameMaxLength).IsRequired();
        builder.HasIndex(c => c.Name).IsUnique();
        builder.Property(c => c.TargetProtected).HasMaxLength(4000);
        builder.Property(c => c.TargetDisplay).HasMaxLength(NotificationChannel.DisplayMaxLength).IsRequired();
        builder.Property(c => c.SecretProtected).HasMaxLength(1000);
        builder.Property(c => c.RoomGroupIds).HasMaxLength(4000);
        builder.Property(c => c.EventTypes).HasMaxLength(400).IsRequired();
        builder.Property(c => c.DisabledReason).HasMaxLength(400);
        builder.Property(c => c.CreatedBy).HasMaxLength(256).IsRequired();
    }
}
