using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Approvals;

/// <summary>
/// Redemption of OTPs by consoles and the admins' decisions on them. Exactly-once redemption rests on a conditional
/// UPDATE (<c>WHERE RedeemedAt IS NULL</c>) plus a unique index on the request's OtpId; the first decision wins by a
/// conditional UPDATE on <c>Status = Pending</c>.
/// </summary>
public sealed class ApprovalService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOtpKeyProvider keys,
    SignInDataProtector protector,
    IProvisioningNotifier notifier,
    TimeProvider time)
{
    private const int MaxAttempts = 3;

    /// <summary>When the console's lockout ends, or null when it may try (for a Retry-After header).</summary>
    public async Task<DateTimeOffset?> GetLockoutAsync(string serial, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(serial);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await DeviceLockout.LockedOutUntilAsync(db, DeviceInfo.KeyOf(serial), time.GetUtcNow(), ct);
    }

    public async Task<Result<RedemptionOutcome, RedeemError>> RedeemAsync(
        string code, DeviceInfo device, string? sourceAddress, CancellationToken ct = default)
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
            if (await DeviceLockout.LockedOutUntilAsync(check, device.SerialKey, now, ct) is not null)
            {
                await Provisioning.RecordLockedOutAsync(dbFactory, device, sourceAddress, "Redemption", now, ct);
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
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var otp = await db.Set<OneTimePassword>().Include(o => o.ResourceAccount).FirstOrDefaultAsync(o => o.CodeHash == hash, ct);
            if (otp?.ResourceAccount is not { } account)
            {
                await transaction.RollbackAsync(ct);
                return await FailAsync(RedeemError.Unknown, device, sourceAddress, "unknown", now, ct);
            }

            var existing = await db.Set<ApprovalRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.OtpId == otp.Id, ct);
            if (existing is not null)
            {
                await transaction.RollbackAsync(ct);
                if (existing.SerialKey == device.SerialKey)
                {
                    return new RedemptionOutcome(existing.Id, EffectiveStatus(existing, now), existing.AutoApproved, true, existing.ExpiresAt);
                }

                return await FailAsync(RedeemError.AlreadyUsed, device, sourceAddress, account.Upn, now, ct);
            }

            RedeemError? refusal = otp.RevokedAt is not null ? RedeemError.Revoked
                : now >= otp.ExpiresAt ? RedeemError.Expired
                : null;
            if (refusal is { } error)
            {
                await transaction.RollbackAsync(ct);
                return await FailAsync(error, device, sourceAddress, account.Upn, now, ct);
            }

            var claimed = await db.Set<OneTimePassword>()
                .Where(o => o.Id == otp.Id && o.RedeemedAt == null && o.RevokedAt == null)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.RedeemedAt, now).SetProperty(x => x.RedeemedBySerial, device.Serial), ct);
            if (claimed == 0)
            {
                // Another redemption (or a revoke) committed first: look again and answer as a retry or as used.
                await transaction.RollbackAsync(ct);
                if (attempt < MaxAttempts)
                {
                    continue;
                }

                return await FailAsync(RedeemError.AlreadyUsed, device, sourceAddress, account.Upn, now, ct);
            }

            var auto = await PreferencesService.IsAutoApprovedAsync(db, account.RoomGroupId, device.SerialKey, ct);
            var request = new ApprovalRequest
            {
                Id = Guid.NewGuid(),
                OtpId = otp.Id,
                ResourceAccountId = account.Id,
                RoomGroupId = account.RoomGroupId,
                Serial = device.Serial,
                SerialKey = device.SerialKey,
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
            db.Add(AuditEntry.Create(now, Actor.Console(device.Serial), AuditCategory.Otps, AuditOperations.OtpRedeemed, account.Upn,
                details: $"OTP {otp.Id}, request {request.Id}, {(auto ? "approved automatically, device provisioned" : "pending approval")}; "
                    + $"make {device.Make}, model {device.Model}, serial {device.Serial}"));
            try
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // The unique index on OtpId caught a racing redemption the UPDATE did not: look again.
                continue;
            }

            await notifier.PublishAsync(new OtpChanged(otp.Id, account.Id, account.RoomGroupId, "Redeemed"));
            await notifier.PublishAsync(new ApprovalRequestChanged(request.Id, request.RoomGroupId, request.Status, request.Serial));
            return new RedemptionOutcome(request.Id, request.Status, auto, false, request.ExpiresAt);
        }
    }

    public Task<Result<DecisionOutcome, DecisionError>> ApproveAsync(Guid requestId, Actor actor, AccessScope scope, CancellationToken ct = default) =>
        DecideAsync(requestId, approve: true, null, null, actor, scope, ct);

    public Task<Result<DecisionOutcome, DecisionError>> RejectAsync(
        Guid requestId, RejectReason reason, string? note, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var trimmed = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (!Enum.IsDefined(reason) || (reason == RejectReason.Other && trimmed is null)
            || trimmed is { Length: > ApprovalRequest.NoteMaxLength })
        {
            return Task.FromResult<Result<DecisionOutcome, DecisionError>>(DecisionError.InvalidReason);
        }

        return DecideAsync(requestId, approve: false, reason, trimmed, actor, scope, ct);
    }

    private async Task<Result<DecisionOutcome, DecisionError>> DecideAsync(
        Guid requestId, bool approve, RejectReason? reason, string? note, Actor actor, AccessScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.Set<ApprovalRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, ct);
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

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var account = await db.Set<ResourceAccount>().FirstAsync(a => a.Id == request.ResourceAccountId, ct);
        if (approve && !account.Enabled)
        {
            // Disabled after the console redeemed: approving would hand a disabled account's password to a console.
            await transaction.RollbackAsync(ct);
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
        var updated = await db.Set<ApprovalRequest>()
            .Where(r => r.Id == requestId && r.Status == ApprovalStatus.Pending)
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
            await transaction.RollbackAsync(ct);
            return DecisionError.AlreadyDecided;
        }

        db.Add(AuditEntry.Create(now, actor, AuditCategory.Approvals,
            approve ? AuditOperations.RequestApproved : AuditOperations.RequestRejected, account.Upn,
            details: approve
                ? $"Request {requestId}; device {request.Make} {request.Model} serial {request.Serial} provisioned"
                : $"Request {requestId}; reason {reason}{(note is null ? string.Empty : "; note: " + note)}"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await notifier.PublishAsync(new ApprovalRequestChanged(requestId, request.RoomGroupId, status, request.Serial));
        return new DecisionOutcome(requestId, status, deviceId);
    }

    /// <summary>Marks every pending request whose OTP ran out as expired (for a background job). Returns how many.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        List<Guid> due;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            due = await db.Set<ApprovalRequest>()
                .Where(r => r.Status == ApprovalStatus.Pending && r.ExpiresAt <= now)
                .Select(r => r.Id)
                .ToListAsync(ct);
        }

        var count = 0;
        foreach (var id in due)
        {
            if (await ExpireAsync(id, now, ct))
            {
                count++;
            }
        }

        return count;
    }

    private async Task<bool> ExpireAsync(Guid requestId, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.Set<ApprovalRequest>()
            .Where(r => r.Id == requestId && r.Status == ApprovalStatus.Pending && r.ExpiresAt <= now)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, ApprovalStatus.Expired).SetProperty(x => x.DecidedAt, now), ct);
        if (updated == 0)
        {
            return false;
        }

        var request = await db.Set<ApprovalRequest>().AsNoTracking().FirstAsync(r => r.Id == requestId, ct);
        var account = await db.Set<ResourceAccount>().FirstAsync(a => a.Id == request.ResourceAccountId, ct);
        if (account.ProvisioningStatus == ProvisioningStatus.AwaitingOtpApproval)
        {
            account.ProvisioningStatus = ProvisioningStatus.None;
            account.UpdatedAt = now;
        }

        db.Add(AuditEntry.Create(now, Actor.System, AuditCategory.Approvals, AuditOperations.RequestExpired, account.Upn,
            details: $"Request {requestId} expired with its OTP"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await notifier.PublishAsync(new ApprovalRequestChanged(requestId, request.RoomGroupId, ApprovalStatus.Expired, request.Serial));
        return true;
    }

    /// <summary>Releases the account's sign-in data to the approved console, once.</summary>
    public async Task<Result<SignInData, ClaimError>> ClaimSignInDataAsync(Guid requestId, string serial, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(serial);
        var key = DeviceInfo.KeyOf(serial);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = await db.Set<ApprovalRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is null || request.SerialKey != key)
        {
            return ClaimError.NotFound;
        }

        if (request.Status != ApprovalStatus.Approved)
        {
            return ClaimError.NotApproved;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.Set<ApprovalRequest>()
            .Where(r => r.Id == requestId && r.SignInDataReleasedAt == null)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.SignInDataReleasedAt, now), ct);
        if (updated == 0)
        {
            await transaction.RollbackAsync(ct);
            return ClaimError.AlreadyClaimed;
        }

        var account = await db.Set<ResourceAccount>().FirstAsync(a => a.Id == request.ResourceAccountId, ct);
        if (account.ProtectedPassword is null)
        {
            await transaction.RollbackAsync(ct);
            return ClaimError.NotApproved;
        }

        string password;
        try
        {
            password = protector.Unprotect(account.ProtectedPassword);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            await transaction.RollbackAsync(ct);
            return ClaimError.NotApproved;
        }

        if (request.DeviceId is { } deviceId && await db.Set<Device>().FirstOrDefaultAsync(d => d.Id == deviceId, ct) is { } device)
        {
            device.SignedInAt = now;
        }

        db.Add(AuditEntry.Create(now, Actor.Console(request.Serial), AuditCategory.Devices, AuditOperations.SignInDataReleased, account.Upn,
            details: $"Request {requestId}; serial {request.Serial}"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new SignInData(account.Upn, password);
    }

    /// <summary>The console's view of its own request; another console's request is NotFound.</summary>
    public async Task<Result<ConsoleRequestStatus, ConsoleRequestError>> GetStatusForDeviceAsync(Guid requestId, string serial, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(serial);
        var key = DeviceInfo.KeyOf(serial);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Set<ApprovalRequest>().AsNoTracking()
            .Where(r => r.Id == requestId)
            .Select(r => new { Request = r, r.ResourceAccount!.Upn })
            .FirstOrDefaultAsync(ct);
        if (row is null || row.Request.SerialKey != key)
        {
            return ConsoleRequestError.NotFound;
        }

        var request = row.Request;
        var status = EffectiveStatus(request, now) switch
        {
            ApprovalStatus.Approved when request.SignInDataReleasedAt is not null => ConsoleSetupStatus.SignedIn,
            ApprovalStatus.Approved => ConsoleSetupStatus.Approved,
            ApprovalStatus.Rejected => ConsoleSetupStatus.Rejected,
            ApprovalStatus.Expired => ConsoleSetupStatus.Expired,
            _ => ConsoleSetupStatus.Pending,
        };
        return new ConsoleRequestStatus(request.Id, status, request.AutoApproved,
            request.Status == ApprovalStatus.Approved ? row.Upn : null,
            request.RejectReason, request.RejectNote, request.ExpiresAt, request.SignInDataReleasedAt is not null);
    }

    /// <summary>The approvals queue (or one account's requests), paged and sorted in the database.</summary>
    public async Task<PagedResult<ApprovalRequestView>> ListAsync(ApprovalQuery query, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        var (page, size) = Paging.Clamp(query.Page, query.PageSize);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var requests = db.Set<ApprovalRequest>().AsNoTracking();
        requests = requests.WhereInScope(scope, r => r.RoomGroupId);

        if (query.RoomGroupId is { } groupId)
        {
            requests = requests.Where(r => r.RoomGroupId == groupId);
        }

        if (query.AccountId is { } accountId)
        {
            requests = requests.Where(r => r.ResourceAccountId == accountId);
        }

        requests = query.Status switch
        {
            // A pending request past its expiry is expired, whether or not the job has run yet.
            ApprovalStatus.Pending => requests.Where(r => r.Status == ApprovalStatus.Pending && r.ExpiresAt > now),
            ApprovalStatus.Expired => requests.Where(r => r.Status == ApprovalStatus.Expired || (r.Status == ApprovalStatus.Pending && r.ExpiresAt <= now)),
            { } status => requests.Where(r => r.Status == status),
            null => requests,
        };
        requests = query.Sort switch
        {
            ApprovalSort.RequestedOldestFirst => requests.OrderBy(r => r.RequestedAt),
            ApprovalSort.ExpiresSoonestFirst => requests.OrderBy(r => r.ExpiresAt),
            _ => requests.OrderByDescending(r => r.RequestedAt),
        };
        var total = await requests.CountAsync(ct);
        var rows = await requests.Skip((page - 1) * size).Take(size)
            .Select(r => new { Request = r, r.ResourceAccount!.Upn, r.ResourceAccount.DisplayName })
            .ToListAsync(ct);
        return new PagedResult<ApprovalRequestView>(
            [.. rows.Select(x => new ApprovalRequestView(
                x.Request.Id, x.Request.OtpId, x.Request.ResourceAccountId, x.Upn, x.DisplayName, x.Request.RoomGroupId,
                EffectiveStatus(x.Request, now), x.Request.AutoApproved, x.Request.RequestedAt, x.Request.ExpiresAt,
                x.Request.Make, x.Request.Model, x.Request.Serial, x.Request.Firmware, x.Request.SourceAddress,
                x.Request.DecidedAt, x.Request.DecidedBy, x.Request.RejectReason, x.Request.RejectNote))],
            total, page, size);
    }

    internal static ApprovalStatus EffectiveStatus(ApprovalRequest request, DateTimeOffset now) =>
        request.Status == ApprovalStatus.Pending && now >= request.ExpiresAt ? ApprovalStatus.Expired : request.Status;

    private async Task<Result<RedemptionOutcome, RedeemError>> FailAsync(
        RedeemError error, DeviceInfo device, string? sourceAddress, string target, DateTimeOffset now, CancellationToken ct)
    {
        await Provisioning.RecordFailureAsync(dbFactory, device, sourceAddress, AuditOperations.RedemptionFailed, error.ToString(), target, now, ct);
        return error;
    }
}
