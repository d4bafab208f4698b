using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
public sealed partial class ApprovalService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOtpKeyProvider keys,
    SignInDataProtector protector,
    IProvisioningNotifier notifier,
    TimeProvider time,
    ILogger<ApprovalService>? logger = null)
{
    private const int MaxAttempts = 3;

    private readonly ILogger _logger = logger ?? NullLogger<ApprovalService>.Instance;

    /// <summary>When the console's lockout ends, or null when it may try (for a Retry-After header).</summary>
    /// <param name="deviceKey">The console's identity (<see cref="DeviceInfo.KeyOf"/>).</param>
    /// <param name="ct">Cancels the read.</param>
    public async Task<DateTimeOffset?> GetLockoutAsync(string deviceKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deviceKey);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await DeviceLockout.LockedOutUntilAsync(db, deviceKey, time.GetUtcNow(), ct);
    }

    public Task<Result<DecisionOutcome, DecisionError>> ApproveAsync(Guid requestId, Actor actor, AccessScope scope, CancellationToken ct = default) =>
        DecideAsync(requestId, approve: true, null, null, actor, scope, ct);

    public Task<Result<DecisionOutcome, DecisionError>> RejectAsync(
        Guid requestId, RejectReason reason, string? note, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var trimmed = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (!Enum.IsDefined(reason) || reason == RejectReason.Superseded || (reason == RejectReason.Other && trimmed is null)
            || trimmed is { Length: > ApprovalRequest.NoteMaxLength })
        {
            return Task.FromResult<Result<DecisionOutcome, DecisionError>>(DecisionError.InvalidReason);
        }

        if (trimmed is not null && !TextRules.IsCleanNote(trimmed))
        {
            return Task.FromResult<Result<DecisionOutcome, DecisionError>>(DecisionError.InvalidNote);
        }

        return DecideAsync(requestId, approve: false, reason, trimmed, actor, scope, ct);
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

    // A console reads its request's status after redeeming, on each poll and with each push: compiled once.
    private static readonly Func<PortalDbContext, Guid, CancellationToken, Task<RequestWithUpn?>> StatusQuery =
        EF.CompileAsyncQuery((PortalDbContext db, Guid requestId, CancellationToken ct) => db.Set<ApprovalRequest>().AsNoTracking()
            .Where(r => r.Id == requestId)
            .Select(r => new RequestWithUpn(r, r.ResourceAccount!.Upn))
            .FirstOrDefault());

    private sealed record RequestWithUpn(ApprovalRequest Request, string Upn);

    /// <summary>The console's view of its own request; another console's request (another make, model or serial) is NotFound.</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="deviceKey">The asking console's identity (<see cref="DeviceInfo.KeyOf"/>).</param>
    /// <param name="ct">Cancels the read.</param>
    public async Task<Result<ConsoleRequestStatus, ConsoleRequestError>> GetStatusForDeviceAsync(Guid requestId, string deviceKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deviceKey);
        var key = deviceKey;
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await StatusQuery(db, requestId, ct);
        if (row is null || row.Request.DeviceKey != key)
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
            // The id breaks ties (a burst of redemptions in one clock tick), so paging neither repeats nor skips a request.
            ApprovalSort.RequestedOldestFirst => requests.OrderBy(r => r.RequestedAt).ThenBy(r => r.Id),
            ApprovalSort.ExpiresSoonestFirst => requests.OrderBy(r => r.ExpiresAt).ThenBy(r => r.Id),
            _ => requests.OrderByDescending(r => r.RequestedAt).ThenBy(r => r.Id),
        };
        var total = await requests.CountAsync(ct);
        return new PagedResult<ApprovalRequestView>(await ViewsAsync(requests.Skip((page - 1) * size).Take(size), now, ct), total, page, size);
    }

    /// <summary>One request as the queue shows it; null when it does not exist or is outside the scope (one answer for both).</summary>
    public async Task<ApprovalRequestView?> GetAsync(Guid requestId, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var request = db.Set<ApprovalRequest>().AsNoTracking().WhereInScope(scope, r => r.RoomGroupId).Where(r => r.Id == requestId);
        return (await ViewsAsync(request, time.GetUtcNow(), ct)).SingleOrDefault();
    }

    private static async Task<List<ApprovalRequestView>> ViewsAsync(IQueryable<ApprovalRequest> requests, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await requests
            .Select(r => new { Request = r, r.ResourceAccount!.Upn, r.ResourceAccount.DisplayName })
            .ToListAsync(ct);
        return [.. rows.Select(x => new ApprovalRequestView(
            x.Request.Id, x.Request.OtpId, x.Request.ResourceAccountId, x.Upn, x.DisplayName, x.Request.RoomGroupId,
            EffectiveStatus(x.Request, now), x.Request.AutoApproved, x.Request.RequestedAt, x.Request.ExpiresAt,
            x.Request.Make, x.Request.Model, x.Request.Serial, x.Request.Firmware, x.Request.SourceAddress,
            x.Request.DecidedAt, x.Request.DecidedBy, x.Request.RejectReason, x.Request.RejectNote))];
    }

    internal static ApprovalStatus EffectiveStatus(ApprovalRequest request, DateTimeOffset now) =>
        request.Status == ApprovalStatus.Pending && now >= request.ExpiresAt ? ApprovalStatus.Expired : request.Status;
}
