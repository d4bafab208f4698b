using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoomsPortal.Core.Installation;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>
/// Ready only when the database takes writes, not merely answers: a read-only file, a read-only replica or a login
/// without write rights would otherwise report healthy while every change fails with 500.
/// </summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<PortalDbContext> dbFactory) : IHealthCheck
{
    public const string Unreachable = "The database cannot be reached.";
    public const string ReadOnly = "The database answers but refuses writes (read-only file or replica, or no write permission).";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return new HealthCheckResult(context.Registration.FailureStatus, Unreachable);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, Unreachable, ex);
        }

        try
        {
            // One statement that writes every fingerprint row back unchanged: the provider must take a write lock and
            // check write permission, yet nothing changes and no transaction (or execution strategy) is involved.
            await db.Set<KeyFingerprint>().ExecuteUpdateAsync(s => s.SetProperty(f => f.RecordedAt, f => f.RecordedAt), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, ReadOnly, ex);
        }
    }
}
