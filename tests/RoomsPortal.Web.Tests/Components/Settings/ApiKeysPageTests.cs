using Bunit;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Audit;
using RoomsPortal.Web.Components.Pages.Settings;
using RoomsPortal.Web.Tests.Components.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.Settings;

public sealed class ApiKeysPageTests : AccountPageContext
{
    [Fact]
    public async Task A_new_key_is_shown_once_works_is_listed_by_prefix_and_audited()
    {
        var cut = RenderPage<ApiKeys>();
        cut.WaitForElement("[data-testid=no-api-keys]");

        cut.Find("[data-testid=api-key-name]").Change("Nightly rollout");
        var role = cut.FindComponent<MudBlazor.MudSelect<string>>();
        await cut.InvokeAsync(() => role.Instance.ValueChanged.InvokeAsync("RoomsProManager"));
        cut.Find("[data-testid=create-api-key]").Click();

        cut.WaitForAssertion(() => Assert.Contains("rpk_", cut.Find("[data-testid=new-api-key]").TextContent, StringComparison.Ordinal));
        var key = cut.Find("[data-testid=new-api-key] code").TextContent;
        var identity = await Service<ApiKeyService>().AuthenticateAsync(key, System.Net.IPAddress.Loopback, Ct);
        Assert.Equal(("Nightly rollout", "RoomsProManager"), (identity.Value!.Name, identity.Value.Role));
        var row = cut.Find("[data-testid=api-key-row]");
        Assert.Contains(key[..12], row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(key[13..], row.TextContent, StringComparison.Ordinal);
        var entry = Assert.Single((await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.ApiKeys), Ct)).Items);
        Assert.Equal((AuditOperations.ApiKeyCreated, "Nightly rollout"), (entry.Operation, entry.Target));
    }

    [Fact]
    public void A_helpdesk_key_without_room_groups_is_refused_with_what_to_do()
    {
        var cut = RenderPage<ApiKeys>();
        cut.WaitForElement("[data-testid=no-api-keys]");
        cut.Find("[data-testid=api-key-name]").Change("Reports");
        cut.Find("[data-testid=create-api-key]").Click();

        cut.WaitForAssertion(() => Assert.Equal("A Site Lead or Helpdesk key needs at least one room group.", cut.Find("[data-testid=api-key-error]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=new-api-key]"));
    }
}
