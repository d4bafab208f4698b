using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Approvals;

/// <summary>The approved console fetches its account's sign-in data, once.</summary>
public sealed partial class ApprovalService
{
    /// <summary>Releases the account's sign-in data to the approved console, once; any other console's claim is NotFound.</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="deviceKey">The claiming console's identity (<see cref="DeviceInfo.KeyOf"/>).</param>
    /// <param name="ct">Cancels the claim.</param>
    public async Task<Result<SignInData, ClaimError>> ClaimSignInDataAsync(Guid requestId, string deviceKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deviceKey);
        var key = deviceKey;
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var row = await db.Set<ApprovalRequest>().AsNoTracking()
                .Where(r => r.Id == requestId)
                .Select(r => new { Request = r, Account = r.ResourceAccount! })
                .FirstOrDefaultAsync(token);
            if (row is null || row.Request.DeviceKey != key)
            {
                return ClaimError.NotFound;
            }

            var (request, account) = (row.Request, row.Account);
            if (request.Status != ApprovalStatus.Approved || account.ProtectedPassword is null)
            {
                return ClaimError.NotApproved;
            }

            if (!account.Enabled)
            {
                // Disabled between the approval and this fetch: a disabled account's password never leaves the portal.
                db.Add(AuditEntry.Create(now, Actor.Console(request.Make, request.Model, request.Serial), AuditCategory.Security, AuditOperations.SignInDataRefused,
                    account.Upn, AuditResult.Failed, $"Request {requestId}; serial {request.Serial}; the account is disabled"));
                await db.SaveChangesAsync(token);
                return ClaimError.AccountDisabled;
            }

            string password;
            try
            {
                password = protector.Unprotect(account.ProtectedPassword);
            }
            catch (CryptographicException)
            {
                return ClaimError.NotApproved;
            }

            // Released once: only the attempt that moves the column from null wins.
            var updated = await db.Set<ApprovalRequest>()
                .Where(r => r.Id == requestId && r.SignInDataReleasedAt == null)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.SignInDataReleasedAt, now), token);
            if (updated == 0)
            {
                return ClaimError.AlreadyClaimed;
            }

            if (request.DeviceId is { } deviceId)
            {
                await db.Set<Device>().Where(d => d.Id == deviceId).ExecuteUpdateAsync(d => d.SetProperty(x => x.SignedInAt, now), token);
            }

            db.Add(AuditEntry.Create(now, Actor.Console(request.Make, request.Model, request.Serial), AuditCategory.Devices, AuditOperations.SignInDataReleased, account.Upn,
                details: $"Request {requestId}; serial {request.Serial}"));
            await db.SaveChangesAsync(token);
            return Result<SignInData, ClaimError>.Success(new SignInData(account.Upn, password));
        }, ct);
    }
}
