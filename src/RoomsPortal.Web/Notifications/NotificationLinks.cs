using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Notifications;

/// <summary>Where a notification's link points: the request's page, or the page that lists what the event is about.</summary>
public static class NotificationLinks
{
    public static Uri? For(DispatchItem item, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(options);
        if (options.PortalUrl is not { } root)
        {
            return null;
        }

        if (item.RequestId is { } requestId)
        {
            return options.RequestLink(requestId);
        }

        var baseUri = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
        return item.EventType switch
        {
            NotificationEventTypes.VerificationFailed or NotificationEventTypes.Lockout => new Uri(baseUri, "verification-failures"),
            NotificationEventTypes.OtpExpiring => new Uri(baseUri, "planning/resource-accounts"),
            _ => baseUri,
        };
    }
}
