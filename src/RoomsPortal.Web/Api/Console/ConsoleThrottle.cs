using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace RoomsPortal.Web.Api.Console;

/// <summary>Limits for the calls where a console could guess (docs/console-protocol.md, "Throttling").</summary>
public sealed class ConsoleThrottleOptions
{
    public const string Section = "ConsoleThrottle";

    /// <summary>
    /// Device verifications a minute from one source address. Verification proves a signed device statement, so
    /// this budget limits load, not guessing; raise it for a building whose consoles all come through one NAT.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "ConsoleThrottle:VerificationsPerAddressPerMinute must be a whole number from 1 to 10000.")]
    public int VerificationsPerAddressPerMinute { get; set; } = ConsoleRateLimits.VerificationPerMinute;

    /// <summary>Redemption attempts a minute for one device (make, model and serial).</summary>
    [Range(1, 1000, ErrorMessage = "ConsoleThrottle:RedemptionsPerDevicePerMinute must be a whole number from 1 to 1000.")]
    public int RedemptionsPerDevicePerMinute { get; set; } = 5;

    /// <summary>Redemption attempts a minute from one source address (a building may sit behind one NAT).</summary>
    [Range(1, 10_000, ErrorMessage = "ConsoleThrottle:RedemptionsPerAddressPerMinute must be a whole number from 1 to 10000.")]
    public int RedemptionsPerAddressPerMinute { get; set; } = 30;

    /// <summary>Manual setup attempts a minute for one device.</summary>
    [Range(1, 1000, ErrorMessage = "ConsoleThrottle:ManualSetupsPerDevicePerMinute must be a whole number from 1 to 1000.")]
    public int ManualSetupsPerDevicePerMinute { get; set; } = 5;

    /// <summary>Manual setup attempts a minute from one source address.</summary>
    [Range(1, 10_000, ErrorMessage = "ConsoleThrottle:ManualSetupsPerAddressPerMinute must be a whole number from 1 to 10000.")]
    public int ManualSetupsPerAddressPerMinute { get; set; } = 20;
}

/// <summary>
/// Throttles a console call per device and per source address at once: the call goes through only when both
/// windows have room. The built-in endpoint policies take one partition key; a chained limiter takes two.
/// A refused call from a device that is locked out is told so (423 and the lockout's real end), not 429: one answer
/// for one state, so waiting the Retry-After it is given always helps.
/// </summary>
public sealed class ConsoleThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _redemption;
    private readonly PartitionedRateLimiter<HttpContext> _manualSetup;

    public ConsoleThrottle(IOptions<ConsoleThrottleOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.Value;
        _redemption = Chain(limits.RedemptionsPerDevicePerMinute, limits.RedemptionsPerAddressPerMinute);
        _manualSetup = Chain(limits.ManualSetupsPerDevicePerMinute, limits.ManualSetupsPerAddressPerMinute);
    }

    /// <summary>Endpoint filter for OTP redemption.</summary>
    public static EndpointFilterDelegate Redemption(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        invocation => ThrottleAsync(invocation, next, t => t._redemption);

    /// <summary>Endpoint filter for manual setup.</summary>
    public static EndpointFilterDelegate ManualSetup(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        invocation => ThrottleAsync(invocation, next, t => t._manualSetup);

    public void Dispose()
    {
        _redemption.Dispose();
        _manualSetup.Dispose();
    }

    private static async ValueTask<object?> ThrottleAsync(
        EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, Func<ConsoleThrottle, PartitionedRateLimiter<HttpContext>> pick)
    {
        var http = invocation.HttpContext;
        var limiter = pick(http.RequestServices.GetRequiredService<ConsoleThrottle>());
        using var lease = limiter.AttemptAcquire(http);
        if (lease.IsAcquired)
        {
            return await next(invocation);
        }

        var approvals = http.RequestServices.GetRequiredService<RoomsPortal.Core.Approvals.ApprovalService>();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var lockedUntil = await approvals.GetLockoutAsync(http.User.DeviceKey(), http.RequestAborted);
        if (lockedUntil is { } until)
        {
            return ConsoleSetupApi.LockedOut(http, until - time.GetUtcNow());
        }

        return ConsoleProblems.TooManyAttempts(http, lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null);
    }

    private static PartitionedRateLimiter<HttpContext> Chain(int perDevice, int perAddress) =>
        PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
                "device:" + (http.User.HasClaim(c => c.Type == ConsoleAuthentication.SerialClaim) ? http.User.DeviceKey() : "none"),
                _ => Window(perDevice))),
            PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
                "address:" + ConsoleRateLimits.SourceAddress(http),
                _ => Window(perAddress))));

    private static FixedWindowRateLimiterOptions Window(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true };
}
