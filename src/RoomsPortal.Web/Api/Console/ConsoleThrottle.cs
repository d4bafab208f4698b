using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient.Protocol;

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
/// windows have room (a permit taken from the first is given back when the second refuses). Budgets are
/// <see cref="WindowCounter"/>s: fixed windows per key with no timer visiting every key.
/// A refused call from a device that is locked out is told so (423 and the lockout's real end), not 429: one answer
/// for one state, so waiting the Retry-After it is given always helps.
/// </summary>
public sealed class ConsoleThrottle
{
    private readonly Pair _redemption;
    private readonly Pair _manualSetup;
    private readonly WindowCounter _failedRedemptions;
    private readonly WindowCounter _verification;

    public ConsoleThrottle(IOptions<ConsoleThrottleOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.Value;
        _redemption = new Pair(PerMinute(limits.RedemptionsPerDevicePerMinute, time), PerMinute(limits.RedemptionsPerAddressPerMinute, time));
        _manualSetup = new Pair(PerMinute(limits.ManualSetupsPerDevicePerMinute, time), PerMinute(limits.ManualSetupsPerAddressPerMinute, time));
        _failedRedemptions = new WindowCounter(limits.FailedRedemptionsPerAddressPerHour, TimeSpan.FromHours(1), time);
        _verification = PerMinute(limits.VerificationsPerAddressPerMinute, time);
    }

    /// <summary>Endpoint filter for OTP redemption.</summary>
    public static EndpointFilterDelegate Redemption(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        invocation => ThrottleAsync(invocation, next, t => t._redemption, t => t._failedRedemptions);

    /// <summary>Endpoint filter for manual setup.</summary>
    public static EndpointFilterDelegate ManualSetup(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        invocation => ThrottleAsync(invocation, next, t => t._manualSetup, failures: null);

    /// <summary>Endpoint filter for device verification: per source address only (the caller has no credential yet).</summary>
    public static EndpointFilterDelegate Verification(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        async invocation =>
        {
            var http = invocation.HttpContext;
            var throttle = http.RequestServices.GetRequiredService<ConsoleThrottle>();
            return throttle._verification.TryTake(ConsoleRateLimits.SourceAddress(http), out var retryAfter)
                ? await next(invocation)
                : ConsoleProblems.TooManyAttempts(http, retryAfter);
        };

    private static async ValueTask<object?> ThrottleAsync(
        EndpointFilterInvocationContext invocation,
        EndpointFilterDelegate next,
        Func<ConsoleThrottle, Pair> pick,
        Func<ConsoleThrottle, WindowCounter>? failures)
    {
        var http = invocation.HttpContext;
        var throttle = http.RequestServices.GetRequiredService<ConsoleThrottle>();
        var address = ConsoleRateLimits.SourceAddress(http);
        var failed = failures?.Invoke(throttle);
        // Asking whether the address has guesses left spends none; when it has none, that refusal (with its
        // Retry-After) is the answer, else the per-minute windows decide.
        TimeSpan retryAfter;
        var allowed = (failed is null || failed.HasRoom(address, out retryAfter))
            && pick(throttle).TryTake(DeviceOf(http), address, out retryAfter);
        if (allowed)
        {
            var result = await next(invocation);
            if (failed is not null && IsWrongCode(result))
            {
                failed.TryTake(address, out _);
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

        return ConsoleProblems.TooManyAttempts(http, retryAfter);
    }

    /// <summary>
    /// The code was checked and was not one this console may redeem (unknown, expired, revoked, used): a guess. Told by
    /// the problem's code, not its status: a 409 <c>agreement_required</c> (a new agreement was published) checked no
    /// code, and counting it let one new agreement spend a building's hourly budget.
    /// </summary>
    private static bool IsWrongCode(object? result) =>
        result is ProblemHttpResult { ProblemDetails.Extensions: var extensions }
        && extensions.TryGetValue("code", out var code)
        && code is ConsoleErrorCodes.OtpInvalid or ConsoleErrorCodes.OtpExpired or ConsoleErrorCodes.OtpRevoked or ConsoleErrorCodes.OtpAlreadyUsed;

    private static string DeviceOf(HttpContext http) =>
        http.User.HasClaim(c => c.Type == ConsoleAuthentication.SerialClaim) ? http.User.DeviceKey() : "none";

    private static WindowCounter PerMinute(int permits, TimeProvider time) => new(permits, TimeSpan.FromMinutes(1), time);

    /// <summary>A per-device and a per-address budget, both spent by one call or neither.</summary>
    private sealed class Pair(WindowCounter perDevice, WindowCounter perAddress)
    {
        public bool TryTake(string device, string address, out TimeSpan retryAfter)
        {
            if (!perDevice.TryTake(device, out retryAfter, out var taken))
            {
                return false;
            }

            if (perAddress.TryTake(address, out retryAfter))
            {
                return true;
            }

            perDevice.GiveBack(device, taken);
            return false;
        }
    }
}
