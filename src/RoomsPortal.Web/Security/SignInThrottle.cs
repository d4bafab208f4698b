using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace RoomsPortal.Web.Security;

/// <summary>Limits on sign-in attempts (docs/security.md, "Throttling").</summary>
public sealed class SignInThrottleOptions
{
    public const string Section = "SignInThrottle";

    /// <summary>Sign-in and change-password attempts a minute from one source address.</summary>
    [Range(1, 10_000, ErrorMessage = "SignInThrottle:AttemptsPerAddressPerMinute must be a whole number from 1 to 10000.")]
    public int AttemptsPerAddressPerMinute { get; set; } = 20;

    /// <summary>Attempts for one user name in 5 minutes, from anywhere (Identity's lockout applies on top, per account).</summary>
    [Range(1, 1000, ErrorMessage = "SignInThrottle:AttemptsPerUserNamePerFiveMinutes must be a whole number from 1 to 1000.")]
    public int AttemptsPerUserNamePerFiveMinutes { get; set; } = 10;
}

/// <summary>
/// Throttles sign-in attempts per source address and per user name, with the same fixed-window limiters the console
/// API uses. The sign-in form checks it before the password (the user name is in the form body, which the
/// rate-limiting middleware cannot read). Identity lockout still applies on top, per account.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PartitionedRateLimiter<string> _perUserName;

    public SignInThrottle(IOptions<SignInThrottleOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.Value;
        _perAddress = PerKey(limits.AttemptsPerAddressPerMinute, TimeSpan.FromMinutes(1));
        _perUserName = PerKey(limits.AttemptsPerUserNamePerFiveMinutes, TimeSpan.FromMinutes(5));
    }

    /// <summary>Takes one attempt from both budgets; on refusal says how long to wait.</summary>
    public bool TryAcquire(string? sourceAddress, string userName, out TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(userName);
        using var address = _perAddress.AttemptAcquire(sourceAddress ?? "unknown");
        if (!address.IsAcquired)
        {
            retryAfter = address.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            return false;
        }

        using var name = _perUserName.AttemptAcquire(userName.Trim().ToUpperInvariant());
        if (!name.IsAcquired)
        {
            retryAfter = name.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(5);
            return false;
        }

        retryAfter = TimeSpan.Zero;
        return true;
    }

    public void Dispose()
    {
        _perAddress.Dispose();
        _perUserName.Dispose();
    }

    private static PartitionedRateLimiter<string> PerKey(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
        }));
}
