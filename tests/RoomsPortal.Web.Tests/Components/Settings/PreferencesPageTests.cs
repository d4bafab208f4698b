using Bunit;
using MudBlazor;
using MudBlazor.Extensions;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Web.Components.Pages.Settings;
using RoomsPortal.Web.Tests.Components.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.Settings;

public sealed class PreferencesPageTests : AccountPageContext
{
    [Fact]
    public void Shows_the_defaults_eight_hours_and_auto_approval_off_with_empty_lists_explained()
    {
        var cut = RenderPage<Preferences>();

        cut.WaitForElement("[data-testid=validity-section]");
        Assert.Equal(8, cut.FindComponent<MudRadioGroup<int>>().Instance.Value);
        Assert.Contains("OTP auto approval is off", cut.Find("[data-testid=approval-section]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[data-testid=no-room-groups]"));
        Assert.NotNull(cut.Find("[data-testid=no-serials]"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(337)]
    public async Task Custom_validity_outside_1_to_336_hours_is_rejected_and_not_saved(int hours)
    {
        var cut = RenderPage<Preferences>();
        cut.WaitForElement("[data-testid=validity-section]");

        await ChooseAsync(cut.FindComponent<MudRadioGroup<int>>(), 0);
        var custom = cut.FindComponent<MudNumericField<int?>>();
        await SetAsync<MudNumericField<int?>, int?>(custom, hours);
        await custom.InvokeAsync(() => custom.Instance.ValidateAsync());
        cut.Find("[data-testid=save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Enter a whole number of hours from 1 to 336.", cut.Markup, StringComparison.Ordinal));
        Assert.Contains("Not saved: Enter a whole number of hours from 1 to 336.", Snackbars);
        Assert.Equal(8, (await Service<PreferencesService>().GetAsync(Ct)).OtpValidityHours);
    }

    [Fact]
    public async Task Saves_custom_validity_auto_approval_room_group_overrides_and_serials()
    {
        var hq = (await Service<RoomGroupService>().CreateAsync("HQ", Admin, Ct)).Value!;
        var branch = (await Service<RoomGroupService>().CreateAsync("Branch", Admin, Ct)).Value!;
        var cut = RenderPage<Preferences>();
        cut.WaitForElement("[data-testid=overrides]");

        await ChooseAsync(cut.FindComponent<MudRadioGroup<int>>(), 0);
        await SetAsync<MudNumericField<int?>, int?>(cut.FindComponent<MudNumericField<int?>>(), 36);
        var toggle = cut.FindComponent<MudSwitch<bool>>();
        await toggle.InvokeAsync(() => toggle.Instance.ValueChanged.InvokeAsync(true));
        var selects = cut.FindComponents<MudSelect<AutoApprovalOverride>>();
        Assert.Equal(2, selects.Count);
        // Room groups are listed by name: Branch, then HQ.
        await SetAsync<MudSelect<AutoApprovalOverride>, AutoApprovalOverride>(selects[1], AutoApprovalOverride.Off);
        var serial = cut.FindComponents<MudTextField<string>>().Single();
        await SetAsync<MudTextField<string>, string>(serial, " sn-0001 ");
        cut.Find("[data-testid=serial-add]").Click();
        cut.Find("[data-testid=save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Preferences saved. New OTPs use them from now on.", Snackbars));
        var saved = await Service<PreferencesService>().GetAsync(Ct);
        Assert.Equal(36, saved.OtpValidityHours);
        Assert.True(saved.AutoApproval);
        Assert.Equal(new Dictionary<Guid, bool> { [hq.Id] = false }, saved.RoomGroupOverrides);
        Assert.Equal(["SN-0001"], saved.PreRegisteredSerials);
        Assert.NotEqual(Guid.Empty, branch.Id);
    }

    [Fact]
    public async Task Serials_are_validated_before_they_join_the_list_and_can_be_removed()
    {
        var preferences = Service<PreferencesService>();
        await preferences.UpdateAsync((await preferences.GetAsync(Ct)) with { PreRegisteredSerials = ["SN-0001"] }, Admin, Ct);
        var cut = RenderPage<Preferences>();
        cut.WaitForElement("[data-testid=serials]");
        var serial = cut.FindComponents<MudTextField<string>>().Single();

        cut.Find("[data-testid=serial-add]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Enter the serial number printed on the console.", cut.Markup, StringComparison.Ordinal));
        await SetAsync<MudTextField<string>, string>(serial, "sn-0001");
        cut.Find("[data-testid=serial-add]").Click();
        cut.WaitForAssertion(() => Assert.Contains("SN-0001 is already in the list.", cut.Markup, StringComparison.Ordinal));
        await SetAsync<MudTextField<string>, string>(serial, "SN 2");
        cut.Find("[data-testid=serial-add]").Click();
        cut.WaitForAssertion(() => Assert.Contains("A serial number has no spaces or control characters.", cut.Markup, StringComparison.Ordinal));

        cut.Find("[data-testid=serials] .mud-chip-close-button").Click();
        cut.WaitForElement("[data-testid=no-serials]");
        cut.Find("[data-testid=save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Preferences saved. New OTPs use them from now on.", Snackbars));
        Assert.Empty((await preferences.GetAsync(Ct)).PreRegisteredSerials);
    }

    [Fact]
    public async Task A_saved_custom_value_shows_as_custom()
    {
        var preferences = Service<PreferencesService>();
        await preferences.UpdateAsync((await preferences.GetAsync(Ct)) with { OtpValidityHours = 36 }, Admin, Ct);

        var cut = RenderPage<Preferences>();

        cut.WaitForElement("[data-testid=validity-custom-hours]");
        Assert.Equal(36, cut.FindComponent<MudNumericField<int?>>().Instance.GetState(x => x.Value));
    }

    [Fact]
    public void Settings_landing_links_to_preferences()
    {
        var cut = RenderPage<RoomsPortal.Web.Components.Pages.Settings.Settings>();

        Assert.Equal("/settings/preferences", cut.Find("[data-testid=open-preferences]").GetAttribute("href"));
    }
}
