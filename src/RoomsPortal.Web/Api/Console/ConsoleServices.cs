using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Api.Console;

internal static class ConsoleServices
{
    /// <summary>The largest message a console may send over the hub.</summary>
    public const int MaximumReceiveMessageSize = 4 * 1024;

    /// <summary>The hub's timing, as docs/console-protocol.md states it (SignalR's defaults, set here so they cannot move unnoticed).</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan ClientTimeoutInterval = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The console credential scheme, its policy, the console throttles and the hub. The Core services it calls come
    /// from <c>AddCoreServices</c>.
    /// </summary>
    public static IServiceCollection AddConsoleApi(this IServiceCollection services)
    {
        services.AddOptions<ConsoleThrottleOptions>()
            .BindConfiguration(ConsoleThrottleOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<ConsoleThrottle>();

        // One JSON for the protocol (ConsoleJson): enums as names, times to the millisecond, on HTTP and on the hub.
        services.ConfigureHttpJsonOptions(options => ConsoleJson.Configure(options.SerializerOptions));
        services.AddSignalR()
            .AddJsonProtocol(options => ConsoleJson.Configure(options.PayloadSerializerOptions))
            .AddHubOptions<ConsoleHub>(hub =>
            {
                // Consoles send tiny messages; the limit is the console hub's alone. Blazor's circuit hub keeps the
                // default (32 KB), which its larger messages and file-upload chunks need.
                hub.MaximumReceiveMessageSize = MaximumReceiveMessageSize;
                hub.KeepAliveInterval = KeepAliveInterval;
                hub.ClientTimeoutInterval = ClientTimeoutInterval;
                hub.HandshakeTimeout = HandshakeTimeout;
                // The documented protocol is SignalR's JSON protocol, version 1; nothing else is offered to consoles.
                hub.SupportedProtocols = ["json"];
                hub.AddFilter<ConsoleHubFilter>();
            });
        // The built-in "json" protocol, writing console hub refusals as plain error completions (ConsoleHubErrors.cs).
        services.Replace(ServiceDescriptor.Singleton<IHubProtocolResolver, ConsoleHubProtocolResolver>());
        services.TryAddSingleton<ConsoleHubFilter>();
        services.TryAddSingleton<RefusalLog>();
        services.TryAddSingleton<ConsoleConnections>();
        services.TryAddSingleton<WatchedRequests>();
        services.AddHostedService<ConsoleStatusPublisher>();
        services.AddHostedService<ConsoleCredentialSweep>();

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ConsoleTokenHandler>(ConsoleAuthentication.Scheme, displayName: null, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleAuthentication.Policy, policy => policy
                .AddAuthenticationSchemes(ConsoleAuthentication.Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(ConsoleAuthentication.SessionIdClaim));
        // The console budgets (verification included) are ConsoleThrottle's endpoint filters; the middleware's refusals
        // (the automation API's policy) are answered as a console's are.
        services.AddRateLimiter(options => options.OnRejected = ConsoleRateLimits.OnRejectedAsync);
        return services;
    }
}
