using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Diagnostics;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Approvals;

/// <summary>Steps shared by OTP approval and manual set-up.</summary>
internal static class Provisioning
{
    // Every redemption with auto approval and every approval records its device (compiled once; tracked: it is changed).
    private static readonly Func<PortalDbContext, string, CancellationToken, Task<Device?>> DeviceByKeyQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string key, CancellationToken ct) => db.Set<Device>().FirstOrDefault(d => d.DeviceKey == key));

    /// <summary>Records the console in the inventory (one row per console: make, model and serial) and marks the account provisioned.</summary>
    public static async Task<Device> RecordDeviceAsync(
        PortalDbContext db, ResourceAccount account, DeviceInfo device, ProvisioningMethod method, DateTimeOffset now, bool signedIn, CancellationToken ct)
    {
        var key = device.Key;
        var row = await DeviceByKeyQuery(db, key, ct);
        if (row is null)
        {
            row = new Device
            {
                Id = Guid.NewGuid(),
                Make = device.Make,
                Model = device.Model,
                Serial = device.Serial,
                DeviceKey = key,
            };
            db.Add(row);
        }

        row.ResourceAccountId = account.Id;
        row.RoomGroupId = account.RoomGroupId;
        // Make, model and serial are the key: only their case can differ, and the row shows the latest spelling.
        row.Make = device.Make;
        row.Model = device.Model;
        row.Serial = device.Serial;
        row.Firmware = device.Firmware;
        row.Method = method;
        row.ProvisionedAt = now;
        row.SignedInAt = signedIn ? now : null;
        account.ProvisioningStatus = ProvisioningStatus.Provisioned;
        account.UpdatedAt = now;
        return row;
    }

    /// <summary>Counts a failed attempt toward the console's lockout and audits it under Security, in one save.</summary>
    public static async Task RecordFailureAsync(
        IDbContextFactory<PortalDbContext> dbFactory, DeviceInfo device, string? sourceAddress, string operation, string kind,
        string target, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lockedBefore = await DeviceLockout.LockedOutUntilAsync(db, device.Key, now, ct) is not null;
        db.Add(new SetupFailure
        {
            Id = Guid.NewGuid(),
            DeviceKey = device.Key,
            OccurredAt = now,
            SourceAddress = Clip(sourceAddress),
            Kind = kind,
        });
        db.Add(AuditEntry.Create(now, device.Actor, AuditCategory.Security, operation, target, AuditResult.Failed,
            $"{kind}; make {device.Make}, model {device.Model}, serial {device.Serial}, source {sourceAddress ?? "unknown"}"));
        if (!lockedBefore && await DeviceLockout.FailuresInWindowAsync(db, device.Key, now, ct) + 1 >= DeviceLockout.MaxFailures)
        {
            // This failure locks the console out: one event per lockout (the refused attempts during it add no failure).
            await NotificationOutbox.AddAsync(db, NotificationEventTypes.Lockout, null, null,
                new ConsoleSummary(device.Make, device.Model, device.Serial, Clip(sourceAddress), kind, now + DeviceLockout.LockoutDuration),
                now, ct, device.Key);
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>Audits an attempt refused by the lockout; it does not count as another failure (that would extend the lockout).</summary>
    public static async Task RecordLockedOutAsync(
        IDbContextFactory<PortalDbContext> dbFactory, DeviceInfo device, string? sourceAddress, string attempt, DateTimeOffset now, CancellationToken ct)
    {
        PortalMetrics.LockedOutCalls.Add(1);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(AuditEntry.Create(now, device.Actor, AuditCategory.Security, AuditOperations.LockedOutAttempt, device.Serial,
            AuditResult.Failed, $"{attempt} refused: the console is locked out; source {sourceAddress ?? "unknown"}"));
        await db.SaveChangesAsync(ct);
    }

    public static string? Clip(string? sourceAddress) =>
        sourceAddress is { Length: > 64 } ? sourceAddress[..64] : sourceAddress;
}
