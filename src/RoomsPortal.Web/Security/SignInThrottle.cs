using System.Threading.RateLimiting;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Throttles sign-in attempts per source address and per user name, with the same fixed-window limiters the console
/// API uses. The sign-in form checks it before the password (the user name is in the form body, which the
/// rate-limiting middleware cannot read). Identity lockout still applies on top, per account.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const int PerAddressPerMinute = 20;
    public const int PerUserNamePerFiveMinutes = 10;

    private readonly PartitionedRateLimiter<string> _perAddress = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PerAddressPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    private readonly PartitionedRateLimiter<string> _perUserName = PartitionedRateLimiter.Create<string, string>(name =>
        RateLimitPartition.GetFixedWindowLimiter(name, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PerUserNamePerFiveMinutes,
            Window = TimeSpan.FromMinutes(5),
            QueueLimit = 0,
        }));

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
}
