using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Otps;

/// <summary>Generates and revokes one-time passwords.</summary>
public sealed partial class OtpService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOtpKeyProvider keys,
    SignInDataProtector protector,
    IProvisioningNotifier notifier,
    TimeProvider time)
{
    /// <summary>Accounts in one batch: one wizard run or one API call, one transaction.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>How often (in accounts) a batch reports progress while it prepares codes.</summary>
    public const int ProgressStep = 500;

    /// <summary>
    /// Generates one OTP per account in one transaction. Each account's active OTP is revoked (audited: "replaced by a
    /// new code in batch X") and its pending request closed as superseded, the waiting console told after the commit.
    /// Passwords are reset (<see cref="OtpPasswordMode.GeneratePasswords"/>), set from the upload, or kept
    /// (<see cref="OtpPasswordMode.KeepPasswords"/>); all are stored encrypted. With a <see cref="OtpBatchRequest.RunId"/>
    /// the codes join that wizard run (its id is their batch id); without, the batch is a run of its own, delivered with
    /// the result.
    /// </summary>
    public Task<Result<OtpBatch, OtpBatchError>> GenerateAsync(OtpBatchRequest request, Actor actor, AccessScope scope, CancellationToken ct = default) =>
        GenerateAsync(request, actor, scope, progress: null, ct);

    /// <inheritdoc cref="GenerateAsync(OtpBatchRequest, Actor, AccessScope, CancellationToken)"/>
    /// <param name="request">What to generate.</param>
    /// <param name="actor">Who generates, for the audit log.</param>
    /// <param name="scope">The caller's room groups.</param>
    /// <param name="progress">
    /// Told how many accounts have their code and password ready, every <see cref="ProgressStep"/> and at the end (the
    /// commit follows). Starts again from 0 if the unit of work is retried.
    /// </param>
    /// <param name="ct">Cancels the batch; nothing is committed then.</param>
    public async Task<Result<OtpBatch, OtpBatchError>> GenerateAsync(
        OtpBatchRequest request, Actor actor, AccessScope scope, IProgress<int>? progress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var ids = request.AccountIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return OtpBatchError.NoAccounts;
        }

        if (ids.Count > MaxBatchSize)
        {
            return OtpBatchError.TooManyAccounts;
        }

        Dictionary<string, string>? uploaded = null;
        if (request.Mode == OtpPasswordMode.UploadedSignInData)
        {
            uploaded = ValidSignInData(request.SignInData);
            if (uploaded is null)
            {
                return OtpBatchError.InvalidSignInData;
            }
        }

        var batch = new BatchOrder(ids, request.Mode, uploaded, request.RunId ?? Guid.NewGuid(), request.RunId is not null, actor, scope, time.GetUtcNow(), progress);
        var result = await dbFactory.InTransactionAsync((db, token) => IssueAsync(db, batch, token), ct);
        if (result.Value is { } issued)
        {
            // One event for the batch: the accounts' revoked earlier codes are in it. A superseded request keeps its
            // own event, since the console waiting on it is told through that one.
            foreach (var change in issued.Replaced.OfType<ApprovalRequestChanged>())
            {
                await notifier.PublishAsync(change);
            }

            await notifier.PublishAsync(new OtpBatchGenerated(
                issued.Batch.BatchId,
                [.. issued.GroupOf.Keys],
                [.. issued.GroupOf.Values.OfType<Guid>().Distinct()]));

            return issued.Batch;
        }

        return result.Error!.Value;
    }

    /// <summary>The batch's unit of work: may run again on a transient failure, so codes and passwords are made anew in it.</summary>
    private async Task<Result<IssuedBatch, OtpBatchError>> IssueAsync(PortalDbContext db, BatchOrder order, CancellationToken ct)
    {
        var (ids, mode, uploaded, batchId, inRun, actor, scope, now, progress) = order;
        var accounts = new List<ResourceAccount>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            accounts.AddRange(await ResourceAccountService.Scoped(db, scope).Where(a => chunk.Contains(a.Id)).ToListAsync(ct));
        }

        if (accounts.Count != ids.Count)
        {
            return OtpBatchError.AccountNotFound;
        }

        if (accounts.Any(a => !a.Enabled || a.RoomGroupId is null))
        {
            return OtpBatchError.AccountNotReady;
        }

        if (uploaded is not null && (uploaded.Count != accounts.Count || accounts.Any(a => !uploaded.ContainsKey(a.NormalizedUpn))))
        {
            return OtpBatchError.InvalidSignInData;
        }

        var kept = new Dictionary<Guid, string>();
        if (mode == OtpPasswordMode.KeepPasswords)
        {
            foreach (var account in accounts)
            {
                if (KeptPassword(account) is not { } password)
                {
                    return OtpBatchError.NoPasswordToKeep;
                }

                kept[account.Id] = password;
            }
        }

        if (inRun)
        {
            // The run's guard: only its creator adds chunks, and only while it is generating (not shown, not abandoned).
            var open = await db.Set<OtpRun>()
                .Where(r => r.Id == batchId && r.CreatedBy == actor.Id && r.State == OtpRunState.Generating)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.IssuedCount, x => x.IssuedCount + accounts.Count).SetProperty(x => x.UpdatedAt, now), ct);
            if (open == 0)
            {
                return OtpBatchError.RunClosed;
            }
        }
        else
        {
            db.Add(new OtpRun
            {
                Id = batchId,
                CreatedAt = now,
                CreatedBy = actor.Id,
                CreatedByName = actor.DisplayName,
                Mode = mode,
                AccountCount = accounts.Count,
                IssuedCount = accounts.Count,
                State = OtpRunState.Completed,
                UpdatedAt = now,
                ShownAt = now,
            });
        }

        var validity = TimeSpan.FromHours(await PreferencesService.ValidityHoursAsync(db, ct));
        var expiresAt = now + validity;
        var items = new List<IssuedOtp>(accounts.Count);
        var otps = new List<OneTimePassword>(accounts.Count);
        // The new code replaces the old one, and the request a console made with it: revoke first, so a redemption
        // racing this batch either committed before (its request is then closed here) or finds its code revoked.
        var replaced = await Supersession.RevokeActiveCodesAsync(db, ids, actor, $"replaced by a new code in batch {batchId}", now, ct);
        replaced.AddRange(await Supersession.SupersedePendingRequestsAsync(db, ids, actor, $"Replaced by a new code in batch {batchId}.", now, ct));

        foreach (var account in accounts.OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase))
        {
            var password = mode switch
            {
                OtpPasswordMode.UploadedSignInData => uploaded![account.NormalizedUpn],
                OtpPasswordMode.KeepPasswords => kept[account.Id],
                _ => SignInDataProtector.GeneratePassword(),
            };
            if (mode != OtpPasswordMode.KeepPasswords)
            {
                account.ProtectedPassword = protector.Protect(password);
            }

            account.ProvisioningStatus = ProvisioningStatus.OtpIssued;
            account.UpdatedAt = now;
            var code = OtpCode.Generate();
            var otp = new OneTimePassword
            {
                Id = Guid.NewGuid(),
                BatchId = batchId,
                ResourceAccountId = account.Id,
                CodeHash = OtpCode.Hash(keys, OtpCode.Normalize(code)!),
                CreatedAt = now,
                ExpiresAt = expiresAt,
                CreatedBy = actor.Id,
            };
            otps.Add(otp);
            items.Add(new IssuedOtp(otp.Id, account.Id, account.Upn, account.DisplayName, code, password));
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Otps, AuditOperations.OtpGenerated, account.Upn,
                details: $"OTP {otp.Id} in batch {batchId}, expires {expiresAt:u}, " + mode switch
                {
                    OtpPasswordMode.UploadedSignInData => "password from uploaded sign-in data",
                    OtpPasswordMode.KeepPasswords => "password kept",
                    _ => "password reset",
                }));
            if (items.Count % ProgressStep == 0)
            {
                progress?.Report(items.Count);
            }
        }

        progress?.Report(items.Count);

        db.Set<OneTimePassword>().AddRange(otps);
        // The batch's last write: on SQLite its thousands of rows go through one reused command each kind.
        await BulkRows.SaveChangesAsync(db, ct);
        return new IssuedBatch(new OtpBatch(batchId, expiresAt, items), accounts.ToDictionary(a => a.Id, a => a.RoomGroupId), replaced);
    }

    private string? KeptPassword(ResourceAccount account)
    {
        if (account.ProtectedPassword is null)
        {
            return null;
        }

        try
        {
            return protector.Unprotect(account.ProtectedPassword);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private sealed record BatchOrder(
        List<Guid> Ids, OtpPasswordMode Mode, Dictionary<string, string>? Uploaded, Guid BatchId, bool InRun, Actor Actor, AccessScope Scope,
        DateTimeOffset Now, IProgress<int>? Progress);

    private sealed record IssuedBatch(
        OtpBatch Batch, Dictionary<Guid, Guid?> GroupOf, IReadOnlyList<ProvisioningEvent> Replaced);

    /// <summary>Revokes an unused OTP.</summary>
    public async Task<Result<Guid, OtpRevokeError>> RevokeAsync(Guid otpId, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        var result = await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var otp = await db.Set<OneTimePassword>().Include(o => o.ResourceAccount).FirstOrDefaultAsync(o => o.Id == otpId, token);
            if (otp?.ResourceAccount is not { } account || !scope.Allows(account.RoomGroupId))
            {
                return Result<OtpChanged, OtpRevokeError>.Failure(OtpRevokeError.NotFound);
            }

            if (otp.RevokedAt is not null)
            {
                return OtpRevokeError.AlreadyRevoked;
            }

            var updated = await db.Set<OneTimePassword>()
                .Where(o => o.Id == otpId && o.RedeemedAt == null && o.RevokedAt == null)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.RevokedAt, now), token);
            if (updated == 0)
            {
                return OtpRevokeError.AlreadyUsed;
            }

            if (account.ProvisioningStatus == ProvisioningStatus.OtpIssued)
            {
                account.ProvisioningStatus = ProvisioningStatus.None;
                account.UpdatedAt = now;
            }

            db.Add(AuditEntry.Create(now, actor, AuditCategory.Otps, AuditOperations.OtpRevoked, account.Upn, details: $"OTP {otpId}"));
            await db.SaveChangesAsync(token);
            return new OtpChanged(otpId, account.Id, account.RoomGroupId, "Revoked");
        }, ct);
        if (result.Value is not { } change)
        {
            return result.Error!.Value;
        }

        await notifier.PublishAsync(change);
        return otpId;
    }

    /// <summary>An account's OTP history, newest first.</summary>
    public async Task<IReadOnlyList<OtpSummary>> ListForAccountAsync(Guid accountId, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inScope = await ResourceAccountService.Scoped(db, scope).AnyAsync(a => a.Id == accountId, ct);
        if (!inScope)
        {
            return [];
        }

        var rows = await db.Set<OneTimePassword>().AsNoTracking()
            .Where(o => o.ResourceAccountId == accountId)
            .OrderByDescending(o => o.CreatedAt)
            .ToListAsync(ct);
        return [.. rows.Select(o => new OtpSummary(o.Id, o.BatchId, o.CreatedAt, o.ExpiresAt, StateOf(o, now), o.RedeemedAt, o.RedeemedBySerial, o.RevokedAt))];
    }

    internal static OtpState StateOf(OneTimePassword o, DateTimeOffset now) =>
        o.RedeemedAt is not null ? OtpState.Redeemed
        : o.RevokedAt is not null ? OtpState.Revoked
        : now >= o.ExpiresAt ? OtpState.Expired
        : OtpState.Active;
}
