using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Diagnostics;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Approvals;

/// <summary>A console redeems an OTP: exactly once, whatever the concurrency.</summary>
public sealed partial class ApprovalService
{
    public async Task<Result<RedemptionOutcome, RedeemError>> RedeemAsync(
        string code, DeviceInfo device, string? sourceAddress, CancellationToken ct = default)
    {
        using var span = PortalMetrics.Source.StartActivity("Redeem OTP");
        var result = await RedeemCodeAsync(code, device, sourceAddress, ct);
        PortalMetrics.Record(PortalMetrics.Redemptions, span, "outcome",
            result.Value is { } redeemed ? (redeemed.Status == ApprovalStatus.Pending ? "pending" : "approved") : result.Error!.Value.ToString());
        return result;
    }

    private async Task<Result<RedemptionOutcome, RedeemError>> RedeemCodeAsync(
        string code, DeviceInfo device, string? sourceAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.IsValid)
        {
            return RedeemError.InvalidDevice;
        }

        device = device.Trimmed();
        var now = time.GetUtcNow();
        await using (var check = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await DeviceLockout.LockedOutUntilAsync(check, device.Key, now, ct) is not null)
            {
                await Provisioning.RecordLockedOutAsync(dbFactory, device, sourceAddress, "Redemption", now, ct);
                LogLockedOut(_logger, device.Serial, sourceAddress);
                return RedeemError.DeviceLockedOut;
            }
        }

        var normalized = OtpCode.Normalize(code);
        if (normalized is null)
        {
            return await FailAsync(RedeemError.InvalidFormat, device, sourceAddress, "unknown", now, ct);
        }

        var hash = OtpCode.Hash(keys, normalized);
        for (var attempt = 1; ; attempt++)
        {
            RedeemAttempt result;
            try
            {
                result = await dbFactory.InTransactionAsync((db, token) => RedeemOnceAsync(db, hash, device, sourceAddress, now, token), ct);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // The unique index on OtpId caught a racing redemption the conditional UPDATE did not: look again.
                PortalMetrics.RedemptionConflicts.Add(1, PortalMetrics.Guard("unique_index"));
                continue;
            }

            if (result.Conflict)
            {
                // Another redemption (or a revoke) committed first: look again and answer as a retry or as used.
                PortalMetrics.RedemptionConflicts.Add(1, PortalMetrics.Guard("conditional_update"));
                if (attempt < MaxAttempts)
                {
                    continue;
                }

                return await FailAsync(RedeemError.AlreadyUsed, device, sourceAddress, result.Target, now, ct);
            }

            if (result.Error is { } error)
            {
                return await FailAsync(error, device, sourceAddress, result.Target, now, ct);
            }

            foreach (var change in result.Events)
            {
                await notifier.PublishAsync(change);
            }

            return result.Outcome!;
        }
    }

    // The redemption's reads, compiled once (every console redeems; none rebuilds and looks up its query per call).
    // The code's row and its account are tracked: the redemption changes the account.
    private static readonly Func<PortalDbContext, string, CancellationToken, Task<OneTimePassword?>> OtpByHashQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string hash, CancellationToken ct) =>
            db.Set<OneTimePassword>().Include(o => o.ResourceAccount).FirstOrDefault(o => o.CodeHash == hash));

    private static readonly Func<PortalDbContext, Guid, CancellationToken, Task<ApprovalRequest?>> RequestByOtpQuery =
        EF.CompileAsyncQuery((PortalDbContext db, Guid otpId, CancellationToken ct) =>
            db.Set<ApprovalRequest>().AsNoTracking().FirstOrDefault(r => r.OtpId == otpId));

    /// <summary>One attempt, inside the unit of work: may run again on a transient failure, so it only touches the database.</summary>
    private async Task<RedeemAttempt> RedeemOnceAsync(
        PortalDbContext db, string hash, DeviceInfo device, string? sourceAddress, DateTimeOffset now, CancellationToken ct)
    {
        var otp = await OtpByHashQuery(db, hash, ct);
        if (otp?.ResourceAccount is not { } account)
        {
            return RedeemAttempt.Failed(RedeemError.Unknown, "unknown");
        }

        // Only a redemption makes a request, in the transaction that claims the code: a code not claimed yet has none.
        var existing = otp.RedeemedAt is null ? null : await RequestByOtpQuery(db, otp.Id, ct);
        if (existing is not null)
        {
            // Only the console that redeemed (same make, model and serial) gets its request back; any other was refused.
            return existing.DeviceKey == device.Key
                ? RedeemAttempt.Done(new RedemptionOutcome(existing.Id, EffectiveStatus(existing, now), existing.AutoApproved, true, existing.ExpiresAt), [])
                : RedeemAttempt.Failed(RedeemError.AlreadyUsed, account.Upn);
        }

        RedeemError? refusal = otp.RevokedAt is not null ? RedeemError.Revoked
            : now >= otp.ExpiresAt ? RedeemError.Expired
            : null;
        if (refusal is { } error)
        {
            return RedeemAttempt.Failed(error, account.Upn);
        }

        var claimed = await db.Set<OneTimePassword>()
            .Where(o => o.Id == otp.Id && o.RedeemedAt == null && o.RevokedAt == null)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.RedeemedAt, now).SetProperty(x => x.RedeemedBySerial, device.Serial), ct);
        if (claimed == 0)
        {
            return new RedeemAttempt(null, null, account.Upn, Conflict: true, []);
        }

        var auto = await PreferencesService.IsAutoApprovedAsync(db, account.RoomGroupId, DeviceInfo.NormalizeSerial(device.Serial), ct);
        var request = new ApprovalRequest
        {
            Id = Guid.NewGuid(),
            OtpId = otp.Id,
            ResourceAccountId = account.Id,
            RoomGroupId = account.RoomGroupId,
            Serial = device.Serial,
            DeviceKey = device.Key,
            Make = device.Make,
            Model = device.Model,
            Firmware = device.Firmware,
            SourceAddress = Provisioning.Clip(sourceAddress),
            Status = auto ? ApprovalStatus.Approved : ApprovalStatus.Pending,
            AutoApproved = auto,
            RequestedAt = now,
            ExpiresAt = otp.ExpiresAt,
        };
        if (auto)
        {
            var recorded = await Provisioning.RecordDeviceAsync(db, account, device, ProvisioningMethod.Otp, now, signedIn: false, ct);
            request.DeviceId = recorded.Id;
            request.DecidedAt = now;
            request.DecidedBy = Actor.System.Id;
        }
        else
        {
            account.ProvisioningStatus = ProvisioningStatus.AwaitingOtpApproval;
            account.UpdatedAt = now;
        }

        db.Add(request);
        await NotificationOutbox.AddRequestAsync(db, auto ? NotificationEventTypes.RequestDecided : NotificationEventTypes.RequestPending,
            request, account, auto ? "auto approval" : null, now, ct);
        db.Add(AuditEntry.Create(now, device.Actor, AuditCategory.Otps, AuditOperations.OtpRedeemed, account.Upn,
            details: $"OTP {otp.Id}, request {request.Id}, {(auto ? "approved automatically, device provisioned" : "pending approval")}; "
                + $"make {device.Make}, model {device.Model}, serial {device.Serial}"));
        await db.SaveChangesAsync(ct);
        return RedeemAttempt.Done(
            new RedemptionOutcome(request.Id, request.Status, auto, false, request.ExpiresAt),
            [
                new OtpChanged(otp.Id, account.Id, account.RoomGroupId, "Redeemed"),
                new ApprovalRequestChanged(request.Id, request.RoomGroupId, request.Status, request.DeviceKey),
            ]);
    }

    private async Task<Result<RedemptionOutcome, RedeemError>> FailAsync(
        RedeemError error, DeviceInfo device, string? sourceAddress, string target, DateTimeOffset now, CancellationToken ct)
    {
        await Provisioning.RecordFailureAsync(dbFactory, device, sourceAddress, AuditOperations.RedemptionFailed, error.ToString(), target, now, ct);
        LogRefused(_logger, device.Serial, sourceAddress, error);
        return error;
    }

    /// <summary>What one attempt decided; events are published by the caller after the commit.</summary>
    private sealed record RedeemAttempt(
        RedemptionOutcome? Outcome, RedeemError? Error, string Target, bool Conflict, IReadOnlyList<ProvisioningEvent> Events)
    {
        public static RedeemAttempt Done(RedemptionOutcome outcome, IReadOnlyList<ProvisioningEvent> events) =>
            new(outcome, null, string.Empty, false, events);

        public static RedeemAttempt Failed(RedeemError error, string target) => new(null, error, target, false, []);
    }

    // One line per meaningful event; never the code (docs/security.md). The request lines of console calls are Debug.
    [LoggerMessage(Level = LogLevel.Information, Message = "Redemption by console {DeviceSerial} from {SourceAddress} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string deviceSerial, string? sourceAddress, RedeemError reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redemption by console {DeviceSerial} from {SourceAddress} refused: the console is locked out")]
    private static partial void LogLockedOut(ILogger logger, string deviceSerial, string? sourceAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} {Status} by {ActorId}")]
    private static partial void LogDecided(ILogger logger, Guid requestId, ApprovalStatus status, string actorId);
}
