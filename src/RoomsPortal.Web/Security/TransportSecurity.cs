using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using RoomsPortal.Web.Infrastructure;

namespace RoomsPortal.Web.Security;

/// <summary>
/// HTTPS where the portal is deployed (docs/security.md, "Headers and cookies"). Behind a trusted proxy the request
/// carries the original scheme (<see cref="TrustedProxies"/>); served directly, HTTP is redirected to HTTPS when the
/// portal has an HTTPS endpoint; served over plain HTTP only, it still works, with cookies that are not marked
/// Secure and a warning at start.
/// </summary>
public static class TransportSecurity
{
    /// <summary>
    /// Cookies are Secure whenever the request is HTTPS. <c>Always</c> would break plain HTTP outright: antiforgery
    /// refuses to issue a token (500 on every form) and browsers drop the sign-in cookie.
    /// </summary>
    public const CookieSecurePolicy CookiePolicy = CookieSecurePolicy.SameAsRequest;

    internal static IServiceCollection AddTransportSecurity(this IServiceCollection services) =>
        services.AddHostedService<PlainHttpWarning>();

    /// <summary>HSTS, and a redirect to the HTTPS endpoint when the portal has exactly one (otherwise none).</summary>
    public static IApplicationBuilder UseTransportSecurity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseHsts();
        // Health probes call plain HTTP inside the container; a redirect to a certificate they do not trust fails them.
        return app.UseWhen(
            http => !http.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase),
            https => https.UseHttpsRedirection());
    }
}

/// <summary>Outside Development, says at start how to serve HTTPS when the portal listens on plain HTTP only and trusts no proxy.</summary>
internal sealed partial class PlainHttpWarning(
    IServer server,
    IHostApplicationLifetime lifetime,
    IHostEnvironment environment,
    IOptions<TrustedProxyOptions> proxies,
    ILogger<PlainHttpWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment())
        {
            // The addresses are known only once the server listens.
            lifetime.ApplicationStarted.Register(Check);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Check()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0
            || addresses.Any(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            || proxies.Value.TrustsAnyProxy)
        {
            return;
        }

        LogPlainHttp(logger, string.Join(", ", addresses));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "RoomsPortal serves plain HTTP only ({Addresses}) and trusts no proxy, so its cookies are not marked Secure. " +
        "Serve HTTPS: give Kestrel a certificate (ASPNETCORE_URLS=https://+:8443 with Kestrel__Certificates__Default__Path " +
        "and __Password), or put a TLS-terminating proxy in front and list it in ForwardedHeaders__KnownProxies__0 (docs/security.md)")]
    private static partial void LogPlainHttp(ILogger logger, string addresses);
}
