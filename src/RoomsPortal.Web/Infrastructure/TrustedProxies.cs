using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>
/// The reverse proxies and load balancers whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the portal
/// believes (docs/security.md, "Client address"). Both lists are empty by default: nobody is trusted, not even
/// loopback, so a client cannot claim another address or HTTPS.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, for example <c>10.0.0.5</c>. Blank entries are ignored.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks in CIDR form whose every address is a trusted proxy, for example <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public IEnumerable<IPAddress> ProxyAddresses => KnownProxies.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => IPAddress.Parse(p.Trim()));

    public IEnumerable<IPNetwork> Networks => KnownNetworks.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => IPNetwork.Parse(n.Trim()));

    public bool TrustsAnyProxy => ProxyAddresses.Any() || Networks.Any();

    /// <summary>A strict address check: <see cref="IPAddress.TryParse(string, out IPAddress)"/> alone takes "10" for 0.0.0.10.</summary>
    internal static bool IsAddress(string value) =>
        IPAddress.TryParse(value, out var address)
        && (address.AddressFamily == AddressFamily.InterNetworkV6 || value.Count(c => c == '.') == 3);
}

internal sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            var value = options.KnownProxies[i];
            if (!string.IsNullOrWhiteSpace(value) && !TrustedProxyOptions.IsAddress(value.Trim()))
            {
                errors.Add($"{TrustedProxyOptions.Section}:KnownProxies:{i} '{value}' is not an IP address (for example 10.0.0.5)");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            var value = options.KnownNetworks[i];
            if (!string.IsNullOrWhiteSpace(value) && !IPNetwork.TryParse(value.Trim(), out _))
            {
                errors.Add($"{TrustedProxyOptions.Section}:KnownNetworks:{i} '{value}' is not a network in CIDR form (for example 10.0.0.0/8)");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal static class TrustedProxies
{
    /// <summary>
    /// Binds <see cref="TrustedProxyOptions"/> (validated at start) into ASP.NET's forwarded-headers options, without
    /// its default trust in loopback: with empty lists every forwarded header is ignored.
    /// <c>X-Forwarded-Host</c> is not read; the proxy passes the original <c>Host</c> through.
    /// </summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();
        services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.Section).ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, trusted) =>
        {
            // ASP.NET reads empty lists as "trust every sender", so with nothing configured the headers are not read at all.
            forwarded.ForwardedHeaders = trusted.Value.TrustsAnyProxy
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
            // One hop: the address the nearest trusted proxy saw. Entries further left are the client's own claims.
            forwarded.ForwardLimit = 1;
            // Its default trust in loopback (::1, 127.0.0.0/8) goes too: only the configured senders are believed.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in trusted.Value.ProxyAddresses)
            {
                forwarded.KnownProxies.Add(proxy);
            }

            foreach (var network in trusted.Value.Networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }
}
