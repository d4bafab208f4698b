using System.Globalization;
using System.Text.Json.Nodes;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Notifications;

/// <summary>What people read of an event, shared by the Teams card and the email: a title and facts, unescaped.</summary>
public static class NotificationText
{
    /// <summary>The title and facts of an event of <paramref name="type"/> with data <paramref name="d"/> (empty facts are for the caller to drop).</summary>
    public static (string Title, List<(string Title, string? Value)> Facts) Describe(string type, JsonObject d)
    {
        string? S(string name) => d[name] is JsonValue v ? v.ToString() : null;
        string? Time(string name) => d[name] is JsonValue v && v.TryGetValue<DateTimeOffset>(out var t)
            ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)
            : null;
        return type switch
        {
            NotificationEventTypes.RequestPending or NotificationEventTypes.RequestDecided or NotificationEventTypes.RequestExpired => (
                type == NotificationEventTypes.RequestPending
                    ? $"Console {S("serial")} waits for approval in {S("accountName")}"
                    : $"Request of console {S("serial")} for {S("accountName")}: {S("status")}",
                [
                    ("Account", S("upn")), ("Room group", S("roomGroupName")), ("Console", $"{S("make")} {S("model")} ({S("serial")})"),
                    ("Firmware", S("firmware")), ("Requested", Time("requestedAt")), ("Expires", Time("expiresAt")), ("Status", S("status")),
                    ("Decided by", S("decidedBy")), ("Reason", S("rejectReason")), ("Note", S("rejectNote")),
                ]),
            NotificationEventTypes.VerificationFailed or NotificationEventTypes.Lockout => (
                type == NotificationEventTypes.Lockout ? $"Console {S("serial")} is locked out" : $"Console {S("serial")} failed verification",
                [
                    ("Console", $"{S("make")} {S("model")} ({S("serial")})"), ("Reason", S("reason")), ("Source", S("sourceAddress")),
                    ("Locked out until", Time("lockedOutUntil")),
                ]),
            NotificationEventTypes.OtpExpiring => (
                $"The code for {S("accountName")} expires unused soon",
                [("Account", S("upn")), ("Room group", S("roomGroupName")), ("Expires", Time("expiresAt"))]),
            _ => ($"Test from RoomsPortal: {S("channel")}", [("Sent by", S("sentBy"))]),
        };
    }
}
