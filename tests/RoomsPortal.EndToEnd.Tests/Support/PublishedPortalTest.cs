using Microsoft.Playwright;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.EndToEnd.Tests.Support;

/// <summary>
/// What the tests against the published portal share: laptop-sized browser contexts (closed with the test), the
/// portal's output attached to a browser failure, and a console that verifies, accepts the agreement and redeems.
/// </summary>
public abstract class PublishedPortalTest(BrowserFixture browser) : IAsyncDisposable
{
    protected static readonly BrowserNewContextOptions Laptop = new() { ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, AcceptDownloads = true };

    private readonly List<IBrowserContext> _contexts = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the published portal on an empty data folder and runs <paramref name="test"/> against it.</summary>
    protected static async Task RunAsync(Func<PublishedPortal, Task> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        await using var portal = await PublishedPortal.StartAsync(Ct);
        try
        {
            await test(portal);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            var output = portal.Output;
            throw new InvalidOperationException($"{ex.Message}\nThe portal's last output:\n{output[Math.Max(0, output.Length - 4000)..]}", ex);
        }
    }

    protected async Task<IPage> NewPageAsync()
    {
        var context = await browser.Browser.NewContextAsync(Laptop);
        _contexts.Add(context);
        // A freshly started Release process renders its first pages cold, on a 2-core machine shared with the suite.
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>In the meeting room: the console verifies against the catalog, accepts the agreement and redeems its code.</summary>
    protected static async Task<(ConsoleSetupClient Console, SetupStatusResponse Redeemed)> RedeemOnConsoleAsync(HttpClient http, ConsoleDevice device, string code)
    {
        var console = new ConsoleSetupClient(http, device);
        await console.VerifyDeviceAsync(Ct);
        var agreement = await console.GetAgreementAsync(Ct);
        await console.AcceptAgreementAsync(agreement.Version, Ct);
        var redeemed = await console.RedeemOtpAsync(code, Ct);
        Assert.Equal(SetupStatus.Pending, redeemed.Status);
        return (console, redeemed);
    }
}
