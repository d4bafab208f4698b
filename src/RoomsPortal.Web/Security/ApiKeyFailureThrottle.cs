using System.Threading.RateLimiting;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Refused API keys per source address: after <see cref="FailuresPerMinute"/> refusals in a minute, an address is
/// answered 429 before its key is even looked up, until the minute ends. Guessing a 256-bit secret is hopeless anyway;
/// this keeps a scanner from costing a database read per attempt. Only refusals count, so scripts with good keys never
/// use up the limit; but while an address is blocked, every call from it waits (good keys too: docs/api.md says so).
/// Setting <see cref="SettingName"/> changes the limit (default <see cref="DefaultFailuresPerMinute"/>).
/// </summary>
public sealed class ApiKeyFailureThrottle(IConfiguration configuration) : IDisposable
{
    public const string SettingName = "Api:RefusedKeysPerAddressPerMinute";
    public const int DefaultFailuresPerMinute = 30;

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = configuration.GetValue(SettingName, DefaultFailuresPerMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>The refusals an address may have in a minute.</summary>
    public int FailuresPerMinute { get; } = configuration.GetValue(SettingName, DefaultFailuresPerMinute);

    /// <summary>How long the address must wait when it used up its refusals for this minute; null when it need not.</summary>
    public TimeSpan? BlockedFor(string address)
    {
        // Asking for no permit takes none, and fails (with the wait) only when none are left.
        using var probe = _failures.AttemptAcquire(address, permitCount: 0);
        return probe.IsAcquired ? null
            : probe.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    /// <summary>Counts one refusal against the address.</summary>
    public void Refused(string address)
    {
        using var lease = _failures.AttemptAcquire(address);
    }

    public void Dispose() => _failures.Dispose();
}
