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
    /// this budget limits load, not guessing: the default lets 500 consoles behind one NAT verify in about 4 minutes.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "ConsoleThrottle:VerificationsPerAddressPerMinute must be a whole number from 1 to 10000.")]
    public int VerificationsPerAddressPerMinute { get; set; } = ConsoleRateLimits.VerificationPerMinute;

    /// <summary>Redemption attempts a minute for one device (make, model and serial).</summary>
    [Range(1, 1000, ErrorMessage = "ConsoleThrottle:RedemptionsPerDevicePerMinute must be a whole number from 1 to 1000.")]
    public int RedemptionsPerDevicePerMinute { get; set; } = 5;

    /// <summary>
    /// Redemption attempts a minute from one source address, right or wrong: a load limit sized for a building whose
    /// consoles all come through one NAT (500 consoles in about 4 minutes at the default). Guessing is capped by
    /// <see cref="FailedRedemptionsPerAddressPerHour"/>.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "ConsoleThrottle:RedemptionsPerAddressPerMinute must be a whole number from 1 to 10000.")]
    public int RedemptionsPerAddressPerMinute { get; set; } = 120;

    /// <summary>
    /// Redemptions from one source address an hour whose code was wrong (unknown, expired, revoked or used by another
    /// console): the guesses. Once spent, the address's redemptions are refused (429) until the hour's window ends;
    /// redemptions that succeed do not spend it.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "ConsoleThrottle:FailedRedemptionsPerAddressPerHour must be a whole number from 1 to 10000.")]
    public int FailedRedemptionsPerAddressPerHour { get; set; } = 60;

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
    private readonly PartitionedRateLimiter<HttpContext> _failedRedemptions;

    public ConsoleThrottle(IOptions<ConsoleThrottleOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.Value;
        _redemption = Chain(limits.RedemptionsPerDevicePerMinute, limits.RedemptionsPerAddressPerMinute);
        _manualSetup = Chain(limits.ManualSetupsPerDevicePerMinute, limits.ManualSetupsPerAddressPerMinute);
        _failedRedemptions = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
            ConsoleRateLimits.SourceAddress(http),
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.FailedRedemptionsPerAddressPerHour,
                Window = TimeSpan.FromHours(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Endpoint filter for OTP redemption.</summary>
    public static EndpointFilterDelegate Redemption(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        invocation => ThrottleAsync(invocation, next, t => t._redemption, t => t._failedRedemptions);

    /// <summary>Endpoint filter for manual setup.</summary>
    public static EndpointFilterDelegate ManualSetup(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        invocation => ThrottleAsync(invocation, next, t => t._manualSetup, failures: null);

    public void Dispose()
    {
        _redemption.Dispose();
        _manualSetup.Dispose();
        _failedRedemptions.Dispose();
    }

    private static async ValueTask<object?> ThrottleAsync(
        EndpointFilterInvocationContext invocation,
        EndpointFilterDelegate next,
        Func<ConsoleThrottle, PartitionedRateLimiter<HttpContext>> pick,
        Func<ConsoleThrottle, PartitionedRateLimiter<HttpContext>>? failures)
    {
        var http = invocation.HttpContext;
        var throttle = http.RequestServices.GetRequiredService<ConsoleThrottle>();
        var failed = failures?.Invoke(throttle);
        // Zero permits asks whether the address has guesses left without spending one; when it has none, that refusal
        // (with its Retry-After) is the answer, else the per-minute windows decide.
        var lease = failed?.AttemptAcquire(http, 0);
        if (lease is null || lease.IsAcquired)
        {
            lease?.Dispose();
            lease = pick(throttle).AttemptAcquire(http);
        }

        using var held = lease;
        if (lease.IsAcquired)
        {
            var result = await next(invocation);
            if (failed is not null && IsWrongCode(result))
            {
                failed.AttemptAcquire(http).Dispose();
            }

            return result;
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

    /// <summary>The code was checked and was not one this console may redeem (unknown, expired, revoked, used): a guess.</summary>
    private static bool IsWrongCode(object? result) => result is IStatusCodeHttpResult
    {
        StatusCode: StatusCodes.Status404NotFound or StatusCodes.Status409Conflict or StatusCodes.Status410Gone,
    };

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
