using RoomsPortal.Core.Common;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.ResourceAccounts;

public sealed class AccountListTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync()
    {
        _h = await CreateAsync();
        await _h.GroupAsync("Alpha");
        await _h.GroupAsync("Zulu");
        var csv = "upn,display name,room group,password\n"
            + "c@contoso.com,Banana,Zulu,Pw-1\n"
            + "a@contoso.com,Cherry,Alpha,Pw-2\n"
            + "b@contoso.com,Apple,Zulu,Pw-3\n";
        var result = await _h.Accounts.ImportAsync(csv, Admin, AccessScope.All, Ct);
        Assert.Equal(3, result.Created);
    }

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData(ResourceAccountSort.DisplayName, false, "Apple,Banana,Cherry")]
    [InlineData(ResourceAccountSort.DisplayName, true, "Cherry,Banana,Apple")]
    [InlineData(ResourceAccountSort.Upn, false, "Cherry,Apple,Banana")]
    [InlineData(ResourceAccountSort.Upn, true, "Banana,Apple,Cherry")]
    [InlineData(ResourceAccountSort.RoomGroup, false, "Cherry,Apple,Banana")]
    [InlineData(ResourceAccountSort.RoomGroup, true, "Apple,Banana,Cherry")]
    public async Task List_sorts_in_the_database_by_the_chosen_column(ResourceAccountSort sort, bool descending, string expected)
    {
        var page = await _h.Accounts.ListAsync(new ResourceAccountQuery(Sort: sort, Descending: descending), AccessScope.All, Ct);

        Assert.Equal(expected, string.Join(',', page.Items.Select(a => a.DisplayName)));
    }

    [Fact]
    public async Task List_pages_after_sorting_and_counts_every_match()
    {
        var page = await _h.Accounts.ListAsync(
            new ResourceAccountQuery(Page: 2, PageSize: 2, Sort: ResourceAccountSort.DisplayName, Descending: true), AccessScope.All, Ct);

        Assert.Equal(3, page.TotalCount);
        Assert.Equal("Apple", Assert.Single(page.Items).DisplayName);
    }

    [Fact]
    public async Task GetMany_returns_the_accounts_in_scope_and_leaves_out_unknown_and_out_of_scope_ids()
    {
        var all = (await _h.Accounts.ListAsync(new ResourceAccountQuery(), AccessScope.All, Ct)).Items;
        var alpha = all.Single(a => a.RoomGroupName == "Alpha");
        var ids = all.Select(a => a.Id).Append(Guid.NewGuid()).ToList();

        var inAlpha = await _h.Accounts.GetManyAsync(ids, AccessScope.ForRoomGroups([alpha.RoomGroupId!.Value]), Ct);
        var everything = await _h.Accounts.GetManyAsync(ids, AccessScope.All, Ct);

        Assert.Equal(alpha.Id, Assert.Single(inAlpha).Id);
        Assert.Equal(["Apple", "Banana", "Cherry"], everything.Select(a => a.DisplayName));
    }
}
