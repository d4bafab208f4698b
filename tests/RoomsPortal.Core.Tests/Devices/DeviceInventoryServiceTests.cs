using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Devices;

public sealed class DeviceInventoryServiceTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;
    private DeviceInventoryService _devices = default!;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync();
        _devices = new DeviceInventoryService(_h.Database);
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    private async Task<Guid> ProvisionAsync(string groupName, DeviceInfo device)
    {
        var (group, _, otp) = await _h.OneOtpAsync(groupName);
        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, device, null, Ct);
        Assert.True((await _h.Approvals.ApproveAsync(redeemed.Value!.RequestId, Admin, AccessScope.All, Ct)).Succeeded);
        return group.Id;
    }

    [Fact]
    public async Task List_shows_each_device_with_its_account()
    {
        await ProvisionAsync("Building 1", Console1);

        var page = await _devices.ListAsync(new DeviceQuery(), AccessScope.All, Ct);

        var device = Assert.Single(page.Items);
        Assert.Equal(("SN-0001", "Contoso", "RoomConsole 10", "room1@building1.example.com"),
            (device.Serial, device.Make, device.Model, device.AccountUpn));
        Assert.Equal(1, page.TotalCount);
    }

    [Fact]
    public async Task List_keeps_to_the_callers_room_groups()
    {
        var first = await ProvisionAsync("Building 1", Console1);
        await ProvisionAsync("Building 2", Console2);

        var page = await _devices.ListAsync(new DeviceQuery(), AccessScope.ForRoomGroups([first]), Ct);

        Assert.Equal("SN-0001", Assert.Single(page.Items).Serial);
    }

    [Fact]
    public async Task List_searches_sorts_and_pages_in_the_database()
    {
        await ProvisionAsync("Building 1", Console1);
        await ProvisionAsync("Building 2", Console2 with { Make = "Fabrikam", Model = "Hub 2" });
        await ProvisionAsync("Building 3", new DeviceInfo("SN-0003", "Contoso", "RoomConsole 12", null));

        var contoso = await _devices.ListAsync(new DeviceQuery(Search: "contoso", Sort: DeviceSort.Serial, Descending: false), AccessScope.All, Ct);
        var bySerialDesc = await _devices.ListAsync(new DeviceQuery(Sort: DeviceSort.Serial, Descending: true, Page: 2, PageSize: 2), AccessScope.All, Ct);
        var bySerialNumber = await _devices.ListAsync(new DeviceQuery(Search: "sn-0002"), AccessScope.All, Ct);

        Assert.Equal(["SN-0001", "SN-0003"], contoso.Items.Select(d => d.Serial));
        Assert.Equal((3, "SN-0001"), (bySerialDesc.TotalCount, Assert.Single(bySerialDesc.Items).Serial));
        Assert.Equal("Fabrikam", Assert.Single(bySerialNumber.Items).Make);
    }

    [Fact]
    public async Task Audit_actor_filter_matches_part_of_the_name()
    {
        await ProvisionAsync("Building 1", Console1);

        var byAdmin = await _h.Audit.QueryAsync(new AuditQuery(Actor: "ada"), Ct);
        var byConsole = await _h.Audit.QueryAsync(new AuditQuery(Actor: "SN-0001"), Ct);

        Assert.NotEmpty(byAdmin.Items);
        Assert.All(byAdmin.Items, e => Assert.Equal(Admin.Id, e.ActorId));
        Assert.All(byConsole.Items, e => Assert.Equal("console:Contoso/RoomConsole 10/SN-0001", e.ActorId));
        Assert.NotEmpty(byConsole.Items);
    }

    [Theory]
    [InlineData(DeviceSort.Model, false)]
    [InlineData(DeviceSort.Make, true)]
    [InlineData(DeviceSort.SignedIn, false)]
    [InlineData(DeviceSort.Provisioned, true)]
    public async Task Devices_that_tie_on_the_sort_page_through_once_each(DeviceSort sort, bool descending)
    {
        // One model, approved within one clock tick, none signed in yet: the sort key ties for every device.
        for (var i = 1; i <= 6; i++)
        {
            await ProvisionAsync($"Building {i}", new DeviceInfo($"SN-TIE-{i}", "Contoso", "RoomConsole 10", null));
        }

        var seen = new List<string>();
        for (var page = 1; page <= 6; page++)
        {
            var one = await _devices.ListAsync(new DeviceQuery(Page: page, PageSize: 1, Sort: sort, Descending: descending), AccessScope.All, Ct);
            seen.Add(Assert.Single(one.Items).Serial);
        }

        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"SN-TIE-{i}"), seen.Order(StringComparer.Ordinal));
    }
}
