using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.Web.Api.Console;

/// <summary>Throttles for the console endpoints, per source address (docs/console-protocol.md, "Throttling").</summary>
public static class ConsoleRateLimits
{
    public const string Verification = "console-verification";
    public const int VerificationPerMinute = 20;

    public static void AddConsolePolicies(this RateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(Verification, http => RateLimitPartition.GetFixedWindowLimiter(
            SourceAddress(http),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = VerificationPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>Answers a throttled console call with 429, Retry-After and a problem document.</summary>
    public static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? (int)Math.Ceiling(retryAfter.TotalSeconds) : 60;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ConsoleProblems.Problem(
                StatusCodes.Status429TooManyRequests,
                ConsoleErrorCodes.TooManyAttempts,
                "Too many attempts.",
                $"Wait {seconds} seconds, then try again.")
            .ExecuteAsync(context.HttpContext);
    }

    internal static string SourceAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
