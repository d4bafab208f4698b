using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Api.Console;

internal static class ConsoleServices
{
    /// <summary>The largest message a console may send over the hub.</summary>
    public const int MaximumReceiveMessageSize = 4 * 1024;

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
        // Consoles send tiny messages; the limit is the console hub's alone. Blazor's circuit hub keeps the default
        // (32 KB), which its larger messages and file-upload chunks need.
        services.AddSignalR().AddHubOptions<ConsoleHub>(hub => hub.MaximumReceiveMessageSize = MaximumReceiveMessageSize);
        services.AddHostedService<ConsoleStatusPublisher>();

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ConsoleTokenHandler>(ConsoleAuthentication.Scheme, displayName: null, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleAuthentication.Policy, policy => policy
                .AddAuthenticationSchemes(ConsoleAuthentication.Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(ConsoleAuthentication.SessionIdClaim));
        services.AddRateLimiter(options =>
        {
            options.AddConsolePolicies();
            options.OnRejected = ConsoleRateLimits.OnRejectedAsync;
        });
        return services;
    }
}
