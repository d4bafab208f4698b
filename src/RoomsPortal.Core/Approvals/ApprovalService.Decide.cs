using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Diagnostics;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Approvals;

/// <summary>Admins approve or reject; the first decision wins. Requests nobody decided expire with their OTP.</summary>
public sealed partial class ApprovalService
{
    private async Task<Result<DecisionOutcome, DecisionError>> DecideAsync(
        Guid requestId, bool approve, RejectReason? reason, string? note, Actor actor, AccessScope scope, CancellationToken ct)
    {
        using var span = PortalMetrics.Source.StartActivity(approve ? "Approve request" : "Reject request");
        var result = await DecideFirstAsync(requestId, approve, reason, note, actor, scope, ct);
        if (result.Succeeded)
        {
            PortalMetrics.Record(PortalMetrics.Decisions, span, "decision", approve ? "approved" : "rejected");
        }
        else
        {
            span?.SetTag("roomsportal.refused", result.Error!.Value.ToString());
        }

        return result;
    }

    private async Task<Result<DecisionOutcome, DecisionError>> DecideFirstAsync(
        Guid requestId, bool approve, RejectReason? reason, string? note, Actor actor, AccessScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        ApprovalRequest? request;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            request = await db.Set<ApprovalRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, ct);
        }

        if (request is null || !scope.Allows(request.RoomGroupId))
        {
            return DecisionError.NotFound;
        }

        if (request.Status == ApprovalStatus.Expired)
        {
            return DecisionError.Expired;
        }

        if (request.Status != ApprovalStatus.Pending)
        {
            return DecisionError.AlreadyDecided;
        }

        if (now >= request.ExpiresAt)
        {
            return await ExpireAsync(requestId, now, ct) ? DecisionError.Expired : DecisionError.AlreadyDecided;
        }

        var decision = new Decision(request, approve, reason, note, actor, now);
        for (var attempt = 1; ; attempt++)
        {
            Result<DecisionOutcome, DecisionError> result;
            try
            {
                result = await dbFactory.InTransactionAsync((db, token) => DecideOnceAsync(db, decision, token), ct);
            }
            catch (DbUpdateException) when (approve && attempt < MaxAttempts)
            {
                // Another approval inserted the same device's inventory row first (unique index): the next attempt
                // finds the row and moves it to this account, as a decision taken a moment later would.
                PortalMetrics.DeviceUpsertConflicts.Add(1);
                continue;
            }

            if (result.Error == DecisionError.AlreadyDecided)
            {
                PortalMetrics.DecisionConflicts.Add(1);
            }

            if (result.Succeeded)
            {
                LogDecided(_logger, requestId, result.Value!.Status, actor.Id);
                await notifier.PublishAsync(new ApprovalRequestChanged(requestId, request.RoomGroupId, result.Value!.Status, request.DeviceKey));
            }

            return result;
        }
    }

    private static async Task<Result<DecisionOutcome, DecisionError>> DecideOnceAsync(PortalDbContext db, Decision decision, CancellationToken ct)
    {
        var (request, approve, reason, note, actor, now) = decision;
        var account = await db.Set<ResourceAccount>().FirstAsync(a => a.Id == request.ResourceAccountId, ct);
        if (approve && !account.Enabled)
        {
            // Disabled after the console redeemed: approving would hand a disabled account's password to a console.
            return DecisionError.AccountDisabled;
        }

        Device? device = null;
        if (approve)
        {
            var info = new DeviceInfo(request.Serial, request.Make, request.Model, request.Firmware);
            device = await Provisioning.RecordDeviceAsync(db, account, info, ProvisioningMethod.Otp, now, signedIn: false, ct);
        }
        else
        {
            account.ProvisioningStatus = ProvisioningStatus.None;
            account.UpdatedAt = now;
        }

        var status = approve ? ApprovalStatus.Approved : ApprovalStatus.Rejected;
        var deviceId = device?.Id;
        // The guard of "first decision wins": only a still-pending row is updated; a racing decision waits on the row
        // lock, then finds it decided and updates nothing.
        var updated = await db.Set<ApprovalRequest>()
            .Where(r => r.Id == request.Id && r.Status == ApprovalStatus.Pending)
            .ExecuteUpdateAsync(
                r => r.SetProperty(x => x.Status, status)
                    .SetProperty(x => x.DecidedAt, now)
                    .SetProperty(x => x.DecidedBy, actor.Id)
                    .SetProperty(x => x.RejectReason, reason)
                    .SetProperty(x => x.RejectNote, note)
                    .SetProperty(x => x.DeviceId, deviceId),
                ct);
        if (updated == 0)
        {
            return DecisionError.AlreadyDecided;
        }

        await NotificationOutbox.AddRequestAsync(db, NotificationEventTypes.RequestDecided, request.Id, actor.DisplayName, now, ct);
        db.Add(AuditEntry.Create(now, actor, AuditCategory.Approvals,
            approve ? AuditOperations.RequestApproved : AuditOperations.RequestRejected, account.Upn,
            details: approve
                ? $"Request {request.Id}; device {request.Make} {request.Model} serial {request.Serial} provisioned"
                : $"Request {request.Id}; reason {reason}{(note is null ? string.Empty : "; note: " + note)}"));
        await db.SaveChangesAsync(ct);
        return new DecisionOutcome(request.Id, status, deviceId);
    }

    private async Task<bool> ExpireAsync(Guid requestId, DateTimeOffset now, CancellationToken ct)
    {
        var expired = await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var updated = await db.Set<ApprovalRequest>()
                .Where(r => r.Id == requestId && r.Status == ApprovalStatus.Pending && r.ExpiresAt <= now)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, ApprovalStatus.Expired).SetProperty(x => x.DecidedAt, now), token);
            if (updated == 0)
            {
                return null;
            }

            var row = await db.Set<ApprovalRequest>().AsNoTracking()
                .Where(r => r.Id == requestId)
                .Select(r => new { Request = r, Account = r.ResourceAccount! })
                .FirstAsync(token);
            var account = row.Account;
            if (account.ProvisioningStatus == ProvisioningStatus.AwaitingOtpApproval)
            {
                db.Attach(account);
                account.ProvisioningStatus = ProvisioningStatus.None;
                account.UpdatedAt = now;
            }

            await NotificationOutbox.AddRequestAsync(db, NotificationEventTypes.RequestExpired, requestId, null, now, token);
            db.Add(AuditEntry.Create(now, Actor.System, AuditCategory.Approvals, AuditOperations.RequestExpired, account.Upn,
                details: $"Request {requestId} expired with its OTP"));
            await db.SaveChangesAsync(token);
            return row.Request;
        }, ct);
        if (expired is null)
        {
            return false;
        }

        await notifier.PublishAsync(new ApprovalRequestChanged(requestId, expired.RoomGroupId, ApprovalStatus.Expired, expired.DeviceKey));
        return true;
    }

    private sealed record Decision(ApprovalRequest Request, bool Approve, RejectReason? Reason, string? Note, Actor Actor, DateTimeOffset Now);
}
