using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>The portal's shell: app bar, drawer and the interactive circuit.</summary>
public class PortalPage(IPage page, Uri baseAddress)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.Locator("h1");

    public ILocator DarkModeToggle => Page.GetByTestId("dark-mode-toggle");

    public ILocator Navigation => Page.GetByTestId("nav-menu");

    public async Task GotoAsync(string path)
    {
        await Page.GotoAsync(new Uri(baseAddress, path).ToString());
        await WaitUntilInteractiveAsync();
    }

    /// <summary>Clicks are lost until the Blazor circuit is up; the layout says when it is.</summary>
    public Task WaitUntilInteractiveAsync() =>
        Page.Locator(".mud-layout[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    /// <summary>The page background MudBlazor's theme paints; it changes with dark mode.</summary>
    public Task<string> BackgroundColorAsync() =>
        Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
