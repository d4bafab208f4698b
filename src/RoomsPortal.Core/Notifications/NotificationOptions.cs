using System.ComponentModel.DataAnnotations;

namespace RoomsPortal.Core.Notifications;

/// <summary>Settings of outgoing notifications (<c>Notifications:*</c>; README lists them, docs/notifications.md explains them).</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "Notifications";

    /// <summary>
    /// The portal's public address (<c>https://portal.contoso.com/</c>), which links in notifications start with. A
    /// background dispatcher has no request to read a host from, and behind a proxy it could not trust one anyway.
    /// Optional at start; a channel cannot be created without it (the page says so).
    /// </summary>
    public Uri? PortalUrl { get; set; }

    /// <summary>
    /// Lets channels target loopback, private and link-local addresses, and plain http to them (test rigs, lab
    /// networks). Off by default: a channel's URL must be https to a public address (SSRF policy, docs/security.md).
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How often each node looks for due deliveries when nothing woke it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The first retry's delay; each next one doubles, with ±20 % jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A channel failing for this long is disabled (with an audit entry) and its failing delivery given up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a node holds a delivery it took; past it another node may take it (the first one died).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long delivered and given-up (Dead) deliveries, and events with no delivery left, are kept; then the
    /// dispatcher deletes them (hourly). At least a day: verification failures are rate-limited against the last hour's events.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan OutboxRetention { get; set; } = TimeSpan.FromDays(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PortalUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult(
                $"{Section}:PortalUrl must be the portal's absolute http(s) address, such as https://portal.contoso.com/.", [nameof(PortalUrl)]);
        }

        if (LeaseDuration <= AttemptTimeout)
        {
            yield return new ValidationResult(
                $"{Section}:LeaseDuration must be longer than {Section}:AttemptTimeout, or another node could take a delivery still being sent.",
                [nameof(LeaseDuration)]);
        }
    }

    /// <summary>The deep link to an approval request (<c>/approvals/{id}</c>), or null without <see cref="PortalUrl"/>.</summary>
    public Uri? RequestLink(Guid requestId) =>
        PortalUrl is { } root ? new Uri(EnsureSlash(root), $"approvals/{requestId:D}") : null;

    private static Uri EnsureSlash(Uri root) => root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
}
