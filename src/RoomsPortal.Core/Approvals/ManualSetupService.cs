using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Diagnostics;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Approvals;

/// <summary>The console's Manual setup path: the technician types the account's email and password.</summary>
/// <remarks>
/// A device whose details are missing or too long gets <see cref="ManualSignInError.InvalidCredentials"/>: the API
/// validates device fields before calling, and the console flow has no separate answer for it.
/// </remarks>
public sealed class ManualSetupService(
    IDbContextFactory<PortalDbContext> dbFactory, SignInDataProtector protector, IProvisioningNotifier notifier, TimeProvider time)
{
    private const int MaxAttempts = 3;

    public async Task<Result<ManualSignInOutcome, ManualSignInError>> ManualSignInAsync(
        string email, string password, DeviceInfo device, string? sourceAddress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.IsValid)
        {
            return ManualSignInError.InvalidCredentials;
        }

        device = device.Trimmed();
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await DeviceLockout.LockedOutUntilAsync(db, device.Key, now, ct) is not null)
        {
            await Provisioning.RecordLockedOutAsync(dbFactory, device, sourceAddress, "Manual sign-in", now, ct);
            return ManualSignInError.DeviceLockedOut;
        }

        var key = ResourceAccount.Normalize(email ?? string.Empty);
        var account = key.Length is 0 or > ResourceAccount.UpnMaxLength
            ? null
            : await db.Set<ResourceAccount>().FirstOrDefaultAsync(a => a.NormalizedUpn == key, ct);
        if (account is null || !PasswordMatches(account.ProtectedPassword, password))
        {
            await Provisioning.RecordFailureAsync(dbFactory, device, sourceAddress, AuditOperations.ManualSignInFailed,
                nameof(ManualSignInError.InvalidCredentials), account?.Upn ?? "unknown", now, ct);
            return ManualSignInError.InvalidCredentials;
        }

        if (!account.Enabled)
        {
            await Provisioning.RecordFailureAsync(dbFactory, device, sourceAddress, AuditOperations.ManualSignInFailed,
                nameof(ManualSignInError.AccountDisabled), account.Upn, now, ct);
            return ManualSignInError.AccountDisabled;
        }

        var accountId = account.Id;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (deviceId, replaced) = await dbFactory.InTransactionAsync(async (work, token) =>
                {
                    // The account is set up now: its outstanding code and a request another console made with it are void.
                    var replaced = await Supersession.RevokeActiveCodesAsync(
                        work, [accountId], device.Actor, $"replaced by manual setup on console {device.Serial}", now, token);
                    replaced.AddRange(await Supersession.SupersedePendingRequestsAsync(
                        work, [accountId], device.Actor, $"Replaced by manual setup on console {device.Serial}.", now, token));
                    var target = await work.Set<ResourceAccount>().FirstAsync(a => a.Id == accountId, token);
                    var recorded = await Provisioning.RecordDeviceAsync(work, target, device, ProvisioningMethod.Manual, now, signedIn: true, token);
                    work.Add(AuditEntry.Create(now, device.Actor, AuditCategory.Devices, AuditOperations.ManualSignInSucceeded,
                        target.Upn,
                        details: $"Device {device.Make} {device.Model} serial {device.Serial} provisioned by manual setup; source {sourceAddress ?? "unknown"}"));
                    await work.SaveChangesAsync(token);
                    return (recorded.Id, replaced);
                }, ct);
                foreach (var change in replaced)
                {
                    await notifier.PublishAsync(change);
                }

                return new ManualSignInOutcome(account.Upn, deviceId);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // The same device was recorded by a concurrent set-up first (unique index): the next attempt updates its row.
                PortalMetrics.DeviceUpsertConflicts.Add(1);
            }
        }
    }

    private bool PasswordMatches(string? protectedPassword, string? candidate)
    {
        if (protectedPassword is null || string.IsNullOrEmpty(candidate))
        {
            return false;
        }

        string stored;
        try
        {
            stored = protector.Unprotect(protectedPassword);
        }
        catch (CryptographicException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(candidate));
    }
}
