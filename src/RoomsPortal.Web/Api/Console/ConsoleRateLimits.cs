using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace RoomsPortal.Web.Api.Console;

/// <summary>Throttles for the console endpoints, per source address (docs/console-protocol.md, "Throttling").</summary>
public static class ConsoleRateLimits
{
    public const string Verification = "console-verification";
    /// <summary>The default of <see cref="ConsoleThrottleOptions.VerificationsPerAddressPerMinute"/>.</summary>
    public const int VerificationPerMinute = 120;

    public static void AddConsolePolicies(this RateLimiterOptions options, ConsoleThrottleOptions limits)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(limits);
        var perMinute = limits.VerificationsPerAddressPerMinute;
        options.AddPolicy(Verification, http => RateLimitPartition.GetFixedWindowLimiter(
            SourceAddress(http),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>Answers a throttled console call with 429, Retry-After and a problem document.</summary>
    public static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        await ConsoleProblems.TooManyAttempts(context.HttpContext, context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null)
            .ExecuteAsync(context.HttpContext);
    }

    internal static string SourceAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
