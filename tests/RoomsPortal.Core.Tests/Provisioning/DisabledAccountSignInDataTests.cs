using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

/// <summary>An account disabled between the approval and the console's fetch keeps its password.</summary>
public sealed class DisabledAccountSignInDataTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Sign_in_data_of_an_account_disabled_after_approval_is_refused_audited_and_released_once_it_is_enabled_again()
    {
        var (_, account, otp) = await _h.OneOtpAsync();
        var requestId = (await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct)).Value!.RequestId;
        await _h.Approvals.ApproveAsync(requestId, Admin, AccessScope.All, Ct);
        await _h.Accounts.SetEnabledAsync(account.Id, false, Admin, AccessScope.All, Ct);

        var refused = await _h.Approvals.ClaimSignInDataAsync(requestId, Console1.Key, Ct);

        Assert.Equal(ClaimError.AccountDisabled, refused.Error);
        Assert.Null(refused.Value);
        await using (var db = _h.Database.CreateDbContext())
        {
            var entry = await db.Set<AuditEntry>().SingleAsync(e => e.Operation == AuditOperations.SignInDataRefused, Ct);
            Assert.Equal((AuditCategory.Security, AuditResult.Failed, account.Upn, Console1.Actor.Id),
                (entry.Category, entry.Result, entry.Target, entry.ActorId));
            Assert.Null((await db.Set<ApprovalRequest>().SingleAsync(r => r.Id == requestId, Ct)).SignInDataReleasedAt);
        }

        await _h.Accounts.SetEnabledAsync(account.Id, true, Admin, AccessScope.All, Ct);
        var released = await _h.Approvals.ClaimSignInDataAsync(requestId, Console1.Key, Ct);
        Assert.Equal(otp.Password, released.Value!.Password);
    }
}
