using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>The console emulator's screens.</summary>
public sealed class EmulatorPage(IPage page, Uri baseAddress)
{
    public IPage Page { get; } = page;

    public ILocator Screen(string name) => Page.GetByTestId("screen-" + name);

    public async Task OpenAsync(string device = "certified", string? serial = null)
    {
        var query = serial is null ? $"?device={device}" : $"?device={device}&serial={Uri.EscapeDataString(serial)}";
        await Page.GotoAsync(new Uri(baseAddress, "/" + query).ToString());
        await Page.Locator(".console-frame[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
    }

    public Task GetStartedAsync() => Page.GetByRole(AriaRole.Button, new() { Name = "Get started" }).ClickAsync();

    public Task AcceptAgreementAsync() => Page.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

    public async Task EnterOtpAsync(string code)
    {
        var groups = code.Replace("-", "", StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            await Page.GetByTestId($"otp-{i}").FillAsync(groups.Substring(i * 4, 4));
        }

        await Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
    }

    public async Task ManualSetupAsync(string email, string password)
    {
        await Page.GetByTestId("manual-setup-link").ClickAsync();
        await Page.GetByTestId("email").FillAsync(email);
        await Page.GetByTestId("password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Finish" }).ClickAsync();
    }
}
