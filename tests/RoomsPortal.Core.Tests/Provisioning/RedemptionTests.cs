using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

public sealed class RedemptionTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Redeem_creates_a_pending_request_when_auto_approval_is_off()
    {
        var (_, account, otp) = await _h.OneOtpAsync();

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, "10.0.0.5", Ct);

        Assert.True(result.Succeeded);
        Assert.Equal(ApprovalStatus.Pending, result.Value!.Status);
        Assert.False(result.Value.AutoApproved);
        Assert.False(result.Value.Retried);
        Assert.Equal(_h.Time.GetUtcNow().AddHours(8), result.Value.ExpiresAt);
        Assert.Equal(ProvisioningStatus.AwaitingOtpApproval, (await _h.AccountRowAsync(account.Id)).ProvisioningStatus);
        var queue = await _h.Approvals.ListAsync(new ApprovalQuery(Status: ApprovalStatus.Pending), AccessScope.All, Ct);
        var view = Assert.Single(queue.Items);
        Assert.Equal(("SN-0001", "Contoso", "RoomConsole 10", "1.4.2", "10.0.0.5"), (view.Serial, view.Make, view.Model, view.Firmware, view.SourceAddress));
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.OtpRedeemed));
    }

    [Fact]
    public async Task Redeem_accepts_lower_case_spaces_and_no_dashes()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var typed = " " + otp.Code.Replace("-", " ", StringComparison.Ordinal).ToLowerInvariant() + " ";

        var result = await _h.Approvals.RedeemAsync(typed, Console1, null, Ct);

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("BCDF-GHJK-LMN")]
    [InlineData("BCDF-GHJK-LMNPQ")]
    [InlineData("ABCD-GHJK-LMNP")]
    [InlineData("BCDF_GHJK_LMNP")]
    public async Task Redeem_rejects_malformed_codes_as_invalid_format(string code)
    {
        var result = await _h.Approvals.RedeemAsync(code, Console1, null, Ct);

        Assert.Equal(RedeemError.InvalidFormat, result.Error);
    }

    [Fact]
    public async Task Redeem_rejects_an_invalid_device()
    {
        var (_, _, otp) = await _h.OneOtpAsync();

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1 with { Serial = new string('9', 65) }, null, Ct);

        Assert.Equal(RedeemError.InvalidDevice, result.Error);
    }

    [Fact]
    public async Task Redeem_of_an_unknown_code_gives_the_generic_error_and_is_audited_under_security()
    {
        var result = await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, "10.0.0.9", Ct);

        Assert.Equal(RedeemError.Unknown, result.Error);
        var entries = await _h.Audit.QueryAsync(new AuditQuery(Category: AuditCategory.Security), Ct);
        var entry = Assert.Single(entries.Items);
        Assert.Equal(AuditResult.Failed, entry.Result);
        Assert.Equal(AuditOperations.RedemptionFailed, entry.Operation);
    }

    [Fact]
    public async Task Redeem_returns_same_request_when_same_device_retries()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var first = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        var again = await _h.Approvals.RedeemAsync(otp.Code, Console1 with { Serial = "sn-0001" }, null, Ct);

        Assert.True(again.Succeeded);
        Assert.Equal(first.Value!.RequestId, again.Value!.RequestId);
        Assert.True(again.Value.Retried);
    }

    [Fact]
    public async Task A_code_not_claimed_yet_is_redeemed_without_looking_for_its_request_and_a_retry_finds_it()
    {
        var commands = new CommandLog();
        await using var h = await CreateAsync(commands);
        var (_, _, otp) = await h.OneOtpAsync();
        commands.Clear();

        var first = await h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);
        var firstCommands = commands.Texts;
        commands.Clear();
        var again = await h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        // Only a redemption makes a request, when it claims the code: the first has nothing to look for, the retry does.
        Assert.DoesNotContain(firstCommands, ReadsRequests);
        Assert.Contains(commands.Texts, ReadsRequests);
        Assert.True(again.Value!.Retried);
        Assert.Equal(first.Value!.RequestId, again.Value.RequestId);
    }

    private static bool ReadsRequests(string sql) =>
        sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && sql.Contains("FROM \"ApprovalRequest\"", StringComparison.Ordinal);

    [Fact]
    public async Task Redeem_by_another_device_is_already_used()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        var other = await _h.Approvals.RedeemAsync(otp.Code, Console2, null, Ct);

        Assert.Equal(RedeemError.AlreadyUsed, other.Error);
    }

    [Fact]
    public async Task Redeem_is_valid_one_tick_before_expiry()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        _h.Time.Advance(TimeSpan.FromHours(8) - TimeSpan.FromTicks(1));

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Redeem_at_expiry_is_expired()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        _h.Time.Advance(TimeSpan.FromHours(8));

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        Assert.Equal(RedeemError.Expired, result.Error);
    }

    [Fact]
    public async Task Validity_is_fixed_when_the_otp_is_generated()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var prefs = await _h.Preferences.GetAsync(Ct);
        await _h.Preferences.UpdateAsync(prefs with { OtpValidityHours = 1 }, Admin, Ct);
        _h.Time.Advance(TimeSpan.FromHours(2));

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Redeem_of_a_revoked_code_is_revoked()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var revoke = await _h.Otps.RevokeAsync(otp.OtpId, Admin, AccessScope.All, Ct);
        Assert.True(revoke.Succeeded);

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        Assert.Equal(RedeemError.Revoked, result.Error);
    }

    [Fact]
    public async Task Redeem_is_auto_approved_when_the_tenant_turns_auto_approval_on()
    {
        await _h.SetAutoApprovalAsync(true);
        var (_, account, otp) = await _h.OneOtpAsync();

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        Assert.Equal(ApprovalStatus.Approved, result.Value!.Status);
        Assert.True(result.Value.AutoApproved);
        Assert.Equal(ProvisioningStatus.Provisioned, (await _h.AccountRowAsync(account.Id)).ProvisioningStatus);
        await using var db = _h.Database.CreateDbContext();
        var device = await db.Set<Device>().SingleAsync(Ct);
        Assert.Equal(("SN-0001", account.Id), (device.Serial, device.ResourceAccountId));
    }

    [Fact]
    public async Task Pre_registered_serial_is_approved_automatically_even_when_auto_approval_is_off()
    {
        await _h.SetAutoApprovalAsync(false, "sn-0002");
        var (_, _, otp) = await _h.OneOtpAsync();

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console2, null, Ct);

        Assert.True(result.Value!.AutoApproved);
    }

    [Fact]
    public async Task Room_group_override_off_wins_over_tenant_auto_approval()
    {
        var (group, _, otp) = await _h.OneOtpAsync();
        var prefs = await _h.Preferences.GetAsync(Ct);
        await _h.Preferences.UpdateAsync(prefs with { AutoApproval = true, RoomGroupOverrides = new Dictionary<Guid, bool> { [group.Id] = false } }, Admin, Ct);

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        Assert.Equal(ApprovalStatus.Pending, result.Value!.Status);
    }

    [Fact]
    public async Task Fifty_parallel_retries_by_the_same_device_all_get_the_same_request()
    {
        var (_, _, otp) = await _h.OneOtpAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct), Ct)));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(results.Select(r => r.Value!.RequestId).Distinct());
        Assert.Single(results, r => !r.Value!.Retried);
    }

    [Fact]
    public async Task Device_is_locked_out_after_five_failures_within_fifteen_minutes()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        for (var i = 0; i < DeviceLockout.MaxFailures; i++)
        {
            Assert.Equal(RedeemError.Unknown, (await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct)).Error);
            _h.Time.Advance(TimeSpan.FromMinutes(2));
        }

        var locked = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);
        var until = await _h.Approvals.GetLockoutAsync(Console1.Key, Ct);
        var otherDevice = await _h.Approvals.RedeemAsync(otp.Code, Console2, null, Ct);

        Assert.Equal(RedeemError.DeviceLockedOut, locked.Error);
        Assert.Equal(_h.Time.GetUtcNow() - TimeSpan.FromMinutes(2) + DeviceLockout.LockoutDuration, until);
        Assert.True(otherDevice.Succeeded);
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.LockedOutAttempt));
    }

    [Fact]
    public async Task Lockout_ends_after_fifteen_minutes()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        for (var i = 0; i < DeviceLockout.MaxFailures; i++)
        {
            await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);
        }

        _h.Time.Advance(DeviceLockout.LockoutDuration);

        Assert.Null(await _h.Approvals.GetLockoutAsync(Console1.Key, Ct));
        Assert.True((await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct)).Succeeded);
    }

    [Fact]
    public async Task Four_failures_do_not_lock_out_and_failures_older_than_the_window_do_not_count()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        for (var i = 0; i < 4; i++)
        {
            await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);
        }

        _h.Time.Advance(DeviceLockout.Window);
        await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);

        Assert.Null(await _h.Approvals.GetLockoutAsync(Console1.Key, Ct));
        Assert.True((await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct)).Succeeded);
    }

    [Fact]
    public async Task Console_sees_its_own_request_status_and_no_other()
    {
        var (_, account, otp) = await _h.OneOtpAsync();
        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        var own = await _h.Approvals.GetStatusForDeviceAsync(redeemed.Value!.RequestId, Console1.Key, Ct);
        var other = await _h.Approvals.GetStatusForDeviceAsync(redeemed.Value.RequestId, Console2.Key, Ct);

        Assert.Equal(ConsoleSetupStatus.Pending, own.Value!.Status);
        Assert.Null(own.Value.AccountUpn);
        Assert.Equal(ConsoleRequestError.NotFound, other.Error);

        await _h.Approvals.ApproveAsync(redeemed.Value.RequestId, Admin, AccessScope.All, Ct);
        var approved = await _h.Approvals.GetStatusForDeviceAsync(redeemed.Value.RequestId, Console1.Key, Ct);
        Assert.Equal(ConsoleSetupStatus.Approved, approved.Value!.Status);
        Assert.Equal(account.Upn, approved.Value.AccountUpn);

        await _h.Approvals.ClaimSignInDataAsync(redeemed.Value.RequestId, Console1.Key, Ct);
        var signedIn = await _h.Approvals.GetStatusForDeviceAsync(redeemed.Value.RequestId, Console1.Key, Ct);
        Assert.Equal(ConsoleSetupStatus.SignedIn, signedIn.Value!.Status);
        Assert.True(signedIn.Value.SignInDataReleased);
    }

    [Fact]
    public async Task Sign_in_data_is_claimed_once_by_the_approved_device_only()
    {
        var (_, account, otp) = await _h.OneOtpAsync();
        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);
        var id = redeemed.Value!.RequestId;

        Assert.Equal(ClaimError.NotApproved, (await _h.Approvals.ClaimSignInDataAsync(id, Console1.Key, Ct)).Error);
        await _h.Approvals.ApproveAsync(id, Admin, AccessScope.All, Ct);
        Assert.Equal(ClaimError.NotFound, (await _h.Approvals.ClaimSignInDataAsync(id, Console2.Key, Ct)).Error);
        var claim = await _h.Approvals.ClaimSignInDataAsync(id, Console1.Key, Ct);
        var again = await _h.Approvals.ClaimSignInDataAsync(id, Console1.Key, Ct);

        Assert.Equal(new SignInData(account.Upn, otp.Password), claim.Value);
        Assert.Equal(ClaimError.AlreadyClaimed, again.Error);
        Assert.DoesNotContain(otp.Password, claim.Value!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notifier_reports_the_new_request_after_commit()
    {
        var (group, _, otp) = await _h.OneOtpAsync();

        var result = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);

        await _h.DeliveredAsync();
        Assert.Contains(new Core.Notifications.ApprovalRequestChanged(result.Value!.RequestId, group.Id, ApprovalStatus.Pending, Console1.Key), _h.Events);
    }

    [Fact]
    public async Task A_console_of_another_make_with_the_same_serial_gets_nothing_of_the_request()
    {
        var (_, account, otp) = await _h.OneOtpAsync();
        var fabrikam = new DeviceInfo(Console1.Serial, "Fabrikam", "Board 20", "9.0");
        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);
        var id = redeemed.Value!.RequestId;

        var again = await _h.Approvals.RedeemAsync(otp.Code, fabrikam, null, Ct);
        var read = await _h.Approvals.GetStatusForDeviceAsync(id, fabrikam.Key, Ct);
        await _h.Approvals.ApproveAsync(id, Admin, AccessScope.All, Ct);
        var claim = await _h.Approvals.ClaimSignInDataAsync(id, fabrikam.Key, Ct);

        Assert.Equal(RedeemError.AlreadyUsed, again.Error);
        Assert.Equal(ConsoleRequestError.NotFound, read.Error);
        Assert.Equal(ClaimError.NotFound, claim.Error);
        Assert.Equal(account.Upn, (await _h.Approvals.ClaimSignInDataAsync(id, Console1.Key, Ct)).Value!.Upn);
    }

    [Fact]
    public async Task The_same_console_is_recognised_whatever_the_case_and_spaces_it_reports()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var shouting = new DeviceInfo(" sn-0001 ", "CONTOSO", "roomconsole 10 ", "1.4.2");

        var first = await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct);
        var retried = await _h.Approvals.RedeemAsync(otp.Code, shouting, null, Ct);

        Assert.Equal(Console1.Key, shouting.Key);
        Assert.Equal(first.Value!.RequestId, retried.Value!.RequestId);
        Assert.True(retried.Value.Retried);
    }

    [Fact]
    public void Device_key_is_make_model_and_serial_normalised_with_a_separator_no_field_can_hold()
    {
        var key = DeviceInfo.KeyOf(" Contoso ", "RoomConsole 10", "sn-0001");

        Assert.Equal("CONTOSO\u001FROOMCONSOLE 10\u001FSN-0001", key);
        Assert.NotEqual(key, DeviceInfo.KeyOf("Fabrikam", "RoomConsole 10", "SN-0001"));
        Assert.NotEqual(key, DeviceInfo.KeyOf("Contoso", "RoomConsole 11", "SN-0001"));
        // A separator inside a field would let two consoles share a key; validation refuses it.
        Assert.False(new DeviceInfo("SN\u001F1", "Contoso", "RoomConsole 10", null).IsValid);
        Assert.False(new DeviceInfo("SN-0001", "Contoso\u200B", "RoomConsole 10", null).IsValid);
    }

    [Fact]
    public async Task Lockout_follows_the_console_not_the_serial()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var fabrikam = new DeviceInfo(Console1.Serial, "Fabrikam", "Board 20", "9.0");
        for (var i = 0; i < DeviceLockout.MaxFailures; i++)
        {
            await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);
        }

        Assert.NotNull(await _h.Approvals.GetLockoutAsync(Console1.Key, Ct));
        Assert.Null(await _h.Approvals.GetLockoutAsync(fabrikam.Key, Ct));
        Assert.Equal(RedeemError.DeviceLockedOut, (await _h.Approvals.RedeemAsync(otp.Code, Console1, null, Ct)).Error);
        Assert.True((await _h.Approvals.RedeemAsync(otp.Code, fabrikam, null, Ct)).Succeeded);
    }

    [Fact]
    public async Task A_refused_attempt_does_not_move_the_end_of_a_lockout()
    {
        await _h.OneOtpAsync();
        for (var i = 0; i < DeviceLockout.MaxFailures; i++)
        {
            await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);
        }

        var until = await _h.Approvals.GetLockoutAsync(Console1.Key, Ct);
        _h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(RedeemError.DeviceLockedOut, (await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNQ", Console1, null, Ct)).Error);

        Assert.Equal(until, await _h.Approvals.GetLockoutAsync(Console1.Key, Ct));
    }
}
