using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace RoomsPortal.Web.Api.Console;

/// <summary>
/// The console endpoints' throttling helpers (docs/console-protocol.md, "Throttling"); the budgets themselves are
/// <see cref="ConsoleThrottle"/>'s. <see cref="OnRejectedAsync"/> answers the rate-limiter middleware's refusals.
/// </summary>
public static class ConsoleRateLimits
{
    /// <summary>The default of <see cref="ConsoleThrottleOptions.VerificationsPerAddressPerMinute"/>.</summary>
    public const int VerificationPerMinute = 120;

    /// <summary>Answers a throttled console call with 429, Retry-After and a problem document.</summary>
    public static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        await ConsoleProblems.TooManyAttempts(context.HttpContext, context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null)
            .ExecuteAsync(context.HttpContext);
    }

    internal static string SourceAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
