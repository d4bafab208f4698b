using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Support;

/// <summary>One headless Debian Chromium for the whole run; each test opens its own context.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    // Without the networking flags Chromium keeps calling home on a closed network and slows down.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        // Playwright's 5 s default for an expectation is shorter than a Blazor round trip on a 2-core machine that
        // builds and tests at once (a save's snackbar came after it at load 20). A wait still ends when the page
        // shows what is expected; only a page that never does waits the full 15 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = RoomsPortal.Testing.ChromiumLocator.Find(),
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
