using System.Net;
using System.Net.Sockets;

namespace RoomsPortal.Core.Notifications;

/// <summary>
/// The SSRF policy of channel URLs: https to a public address, unless <see cref="NotificationOptions.AllowPrivateTargets"/>.
/// Checked on the URL when a channel is saved, and again on every address the name resolves to when a delivery connects
/// (a name can resolve to an internal address later: DNS rebinding).
/// </summary>
public static class NotificationTargets
{
    /// <summary>What is wrong with <paramref name="url"/> as a channel target, or null when it is acceptable.</summary>
    public static string? Problem(string? url, bool allowPrivate)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return "Enter the receiver's full address, starting with https://.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivate && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "The address must start with https:// (notifications are only sent encrypted).";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "Remove the user name and password from the address; the receiver checks the signature instead.";
        }

        if (url.Trim().Length > NotificationChannel.TargetMaxLength)
        {
            return $"The address is longer than {NotificationChannel.TargetMaxLength} characters.";
        }

        if (!allowPrivate && (uri.IsLoopback || uri.HostNameType == UriHostNameType.Basic
            || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && !IsPublic(ip))
            || uri.DnsSafeHost.EndsWith(".local", StringComparison.OrdinalIgnoreCase) || !uri.DnsSafeHost.Contains('.', StringComparison.Ordinal)))
        {
            return "The address points into a private network (loopback, private, link-local or a single-label name). Use a public https address.";
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="address"/> is a public unicast address: not loopback, private, link-local, CGNAT,
    /// 192.0.0.0/24, 198.18.0.0/15, unique-local, multicast, unspecified, nor an IPv6 form that embeds an IPv4 address.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.None))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10 || b[0] == 0 || b[0] >= 224
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0) // 192.0.0.0/24, IETF protocol assignments
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // 198.18.0.0/15, benchmarking (often used inside networks)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127));
        }

        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast
            || EmbedsIPv4(address.GetAddressBytes()));
    }

    /// <summary>
    /// IPv6 forms that carry an IPv4 address a gateway or the host stack may reach on our behalf, whatever that address
    /// is (10.0.0.1 inside <c>64:ff9b::a00:1</c>): NAT64 <c>64:ff9b::/96</c> and the local-use <c>64:ff9b:1::/48</c>,
    /// 6to4 <c>2002::/16</c>, and IPv4-compatible <c>::/96</c>. None is a receiver's normal address, so all are refused.
    /// </summary>
    private static bool EmbedsIPv4(byte[] b) =>
        b.Length == 16
        && ((b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && (b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0 || (b[4] == 0x00 && b[5] == 0x01)))
            || (b[0] == 0x20 && b[1] == 0x02)
            || b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0);

    /// <summary>
    /// The URL's scheme and host only, for people to read: a Teams or Workflows URL carries its credential in the path
    /// (<c>/webhookb2/.../IncomingWebhook/{secret}/...</c>) or the query, so neither is shown, listed or audited.
    /// </summary>
    public static string Display(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var shown = uri.GetLeftPart(UriPartial.Authority) + (uri.AbsolutePath.Length > 1 || uri.Query.Length > 0 ? "/…" : "");
        return shown.Length <= NotificationChannel.DisplayMaxLength ? shown : shown[..NotificationChannel.DisplayMaxLength];
    }

    /// <summary>A URL as records and logs may print it: its scheme and host only (<see cref="Display"/>), or *** when it is not a URL.</summary>
    public static string Redacted(string? url) =>
        url is null ? "(none)" : Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ? Display(uri) : "***";
}
