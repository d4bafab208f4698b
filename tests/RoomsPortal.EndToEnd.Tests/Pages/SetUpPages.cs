using Microsoft.Playwright;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>The set-up steps a test takes on a fresh portal through its pages: the first password and the device catalog.</summary>
public sealed class SetUpPages(IPage page, Uri baseAddress) : PortalPage(page, baseAddress)
{
    /// <summary>Fills the forced change-password form and waits until the portal leaves it.</summary>
    public async Task ChangePasswordAsync(string current, string chosen)
    {
        await Page.GetByTestId("current-password").FillAsync(current);
        await Page.GetByTestId("new-password").FillAsync(chosen);
        await Page.GetByTestId("confirm-password").FillAsync(chosen);
        await Page.GetByTestId("change-password").ClickAsync();
        await Page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Settings &gt; Room groups: creates each group.</summary>
    public async Task CreateRoomGroupsAsync(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        await GotoAsync("/settings/room-groups");
        foreach (var name in names)
        {
            await Page.GetByTestId("new-room-group").FillAsync(name);
            await Page.GetByTestId("create-room-group").ClickAsync();
            await Assertions.Expect(Page.Locator($"[data-testid=room-group-row][data-group='{name}']")).ToBeVisibleAsync();
        }
    }

    /// <summary>Settings &gt; Device catalog: the manufacturer's key and its model, certified.</summary>
    public async Task CertifyAsync(TestManufacturer manufacturer)
    {
        ArgumentNullException.ThrowIfNull(manufacturer);
        await GotoAsync("/settings/device-catalog");
        await Page.GetByTestId("key-make").FillAsync(manufacturer.Make);
        await Page.GetByTestId("key-name").FillAsync("factory");
        await Page.GetByTestId("key-text").FillAsync(manufacturer.PublicKeyPem);
        await Page.GetByTestId("add-key").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("key-row")).ToContainTextAsync("factory");
        await Page.GetByTestId("model-make").FillAsync(manufacturer.Make);
        await Page.GetByTestId("model-name").FillAsync(manufacturer.Model);
        await Page.GetByTestId("certify").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("model-row")).ToContainTextAsync(manufacturer.Model);
    }
}
