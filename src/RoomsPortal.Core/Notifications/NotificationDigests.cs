using System.Globalization;

namespace RoomsPortal.Core.Notifications;

/// <summary>
/// Email digests: an email channel may collect its events into one message per person every 15, 60 or 1440 minutes
/// (0: one message per event). Windows are aligned to UTC (a 60-minute digest covers 10:00-11:00 UTC, a daily one a UTC
/// day): an event's deliveries are due at the end of its window, when the dispatcher sends them together.
/// </summary>
public static class NotificationDigests
{
    /// <summary>The intervals a channel may have, in minutes; 0 is one message per event.</summary>
    public static IReadOnlyList<int> AllowedMinutes { get; } = [0, 15, 60, 1440];

    /// <summary>The most deliveries one digest covers; the rest go in the next one, which is due at once.</summary>
    public const int MaxEvents = 200;

    public static bool IsAllowed(int minutes) => AllowedMinutes.Contains(minutes);

    /// <summary>The allowed values for an error message: "0, 15, 60 or 1440".</summary>
    public static string AllowedText { get; } =
        string.Join(", ", AllowedMinutes.SkipLast(1).Select(m => m.ToString(CultureInfo.InvariantCulture)))
        + " or " + AllowedMinutes[^1].ToString(CultureInfo.InvariantCulture);

    /// <summary>When a delivery written at <paramref name="now"/> is due: at once without a digest, else at the end of its UTC window.</summary>
    public static DateTimeOffset DueAt(int minutes, DateTimeOffset now)
    {
        if (minutes <= 0)
        {
            return now;
        }

        // DateTime ticks count from 0001-01-01 00:00 UTC, so every interval that divides a day is aligned to UTC midnight.
        var window = TimeSpan.FromMinutes(minutes).Ticks;
        var start = now.UtcTicks - (now.UtcTicks % window);
        return new DateTimeOffset(start + window, TimeSpan.Zero);
    }

    /// <summary>What people read: "one email per event", "a digest every 15 minutes", "a daily digest".</summary>
    public static string Describe(int minutes) => minutes switch
    {
        0 => "One email per event",
        1440 => "A daily digest (UTC days)",
        60 => "An hourly digest",
        _ => $"A digest every {minutes} minutes",
    };
}
