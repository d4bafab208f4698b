using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

public sealed class ManualSetupTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;
    private ResourceAccountView _account = default!;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync();
        _account = (await _h.AccountsAsync(await _h.GroupAsync("HQ"), "Room.Alpha@Contoso.com"))[0];
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Manual_sign_in_with_the_right_password_provisions_the_device()
    {
        var result = await _h.ManualSetup.ManualSignInAsync("room.alpha@contoso.COM", "Initial-Pass-1", Console1, "10.0.0.7", Ct);

        Assert.Equal("Room.Alpha@Contoso.com", result.Value!.AccountUpn);
        await using var db = _h.Database.CreateDbContext();
        var device = await db.Set<Device>().SingleAsync(Ct);
        Assert.Equal((result.Value.DeviceId, ProvisioningMethod.Manual), (device.Id, device.Method));
        Assert.NotNull(device.SignedInAt);
        Assert.Equal(ProvisioningStatus.Provisioned, (await _h.AccountRowAsync(_account.Id)).ProvisioningStatus);
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.ManualSignInSucceeded));
    }

    [Fact]
    public async Task Provisioned_device_is_listed_in_the_inventory_within_scope()
    {
        await _h.ManualSetup.ManualSignInAsync(_account.Upn, "Initial-Pass-1", Console1, null, Ct);
        var inventory = new DeviceInventoryService(_h.Database);

        var all = await inventory.ListAsync(new DeviceQuery(Search: "alpha"), AccessScope.All, Ct);
        var elsewhere = await inventory.ListAsync(new DeviceQuery(), AccessScope.ForRoomGroups([Guid.NewGuid()]), Ct);

        var device = Assert.Single(all.Items);
        Assert.Equal(("SN-0001", "Room.Alpha@Contoso.com", _account.RoomGroupId, ProvisioningMethod.Manual), (device.Serial, device.AccountUpn, device.RoomGroupId, device.Method));
        Assert.Empty(elsewhere.Items);
    }

    [Theory]
    [InlineData("room.alpha@contoso.com", "initial-pass-1")]
    [InlineData("room.alpha@contoso.com", "")]
    [InlineData("nobody@contoso.com", "Initial-Pass-1")]
    public async Task Manual_sign_in_with_a_wrong_password_or_unknown_account_is_one_generic_error(string email, string password)
    {
        var result = await _h.ManualSetup.ManualSignInAsync(email, password, Console1, null, Ct);

        Assert.Equal(ManualSignInError.InvalidCredentials, result.Error);
        Assert.Equal(1, await _h.AuditCountAsync(AuditOperations.ManualSignInFailed));
    }

    [Fact]
    public async Task Manual_sign_in_to_a_disabled_account_is_refused()
    {
        await _h.Accounts.SetEnabledAsync(_account.Id, false, Admin, AccessScope.All, Ct);

        var result = await _h.ManualSetup.ManualSignInAsync(_account.Upn, "Initial-Pass-1", Console1, null, Ct);

        Assert.Equal(ManualSignInError.AccountDisabled, result.Error);
    }

    [Fact]
    public async Task Manual_sign_in_failures_count_toward_the_same_lockout_as_redemptions()
    {
        for (var i = 0; i < 3; i++)
        {
            await _h.ManualSetup.ManualSignInAsync(_account.Upn, "wrong", Console1, null, Ct);
        }

        for (var i = 0; i < 2; i++)
        {
            await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);
        }

        var manual = await _h.ManualSetup.ManualSignInAsync(_account.Upn, "Initial-Pass-1", Console1, null, Ct);
        var redeem = await _h.Approvals.RedeemAsync("BCDF-GHJK-LMNP", Console1, null, Ct);

        Assert.Equal(ManualSignInError.DeviceLockedOut, manual.Error);
        Assert.Equal(RedeemError.DeviceLockedOut, redeem.Error);
    }
}
