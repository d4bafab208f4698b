using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>
/// Expires pending requests whose code ran out (so waiting consoles and the approvals queue hear of it), notifies codes
/// about to run out unused (<see cref="OtpExpiryNotices"/>) and purges
/// audit entries past retention. Redemption checks expiry itself; this job only makes it visible sooner.
/// </summary>
public sealed partial class ProvisioningMaintenance(
    ApprovalService approvals,
    AuditService audit,
    OtpExpiryNotices expiryNotices,
    TimeProvider time,
    ILogger<ProvisioningMaintenance> logger) : BackgroundService
{
    public static readonly TimeSpan ExpiryInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(24);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextPurge = time.GetUtcNow();
        using var timer = new PeriodicTimer(ExpiryInterval, time);
        do
        {
            try
            {
                var expired = await approvals.ExpireDueAsync(stoppingToken);
                if (expired > 0)
                {
                    LogExpired(logger, expired);
                }

                var noticed = await expiryNotices.WriteDueAsync(stoppingToken);
                if (noticed > 0)
                {
                    LogExpiring(logger, noticed);
                }

                if (time.GetUtcNow() >= nextPurge)
                {
                    var purged = await audit.PurgeAsync(stoppingToken);
                    LogPurged(logger, purged);
                    nextPurge = time.GetUtcNow() + PurgeInterval;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database hiccup must not end the job; the next tick tries again.
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Count} pending approval requests")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} notices of codes about to expire unused")]
    private static partial void LogExpiring(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} audit entries past retention")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Provisioning maintenance failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
