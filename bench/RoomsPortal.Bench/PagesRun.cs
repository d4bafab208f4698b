using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using RoomsPortal.ConsoleClient;

namespace RoomsPortal.Bench;

/// <summary>
/// <c>--pages N</c>: N signed-in Approvals pages in headless Chromium (one Blazor circuit each) on the portal in its
/// child process. Reads the portal's memory before and after the pages open (per circuit), then consoles redeem one
/// after another with auto approval off; each page notes in the browser when the new request appears, and again when
/// the bench approves it and it leaves the queue.
/// </summary>
internal static class PagesRun
{
    /// <summary>
    /// Installs a watch in the page: a promise that resolves with the page's wall clock (ms since the epoch) once
    /// the body's text contains (or, with <c>gone</c>, no longer contains) the serial.
    /// </summary>
    private const string InstallWatch = """
        ([serial, gone]) => {
          const met = () => document.body.textContent.includes(serial) !== gone;
          const now = () => performance.timeOrigin + performance.now();
          window.__benchSeen = new Promise(resolve => {
            if (met()) { resolve(now()); return; }
            const observer = new MutationObserver(() => {
              if (met()) { observer.disconnect(); resolve(now()); }
            });
            observer.observe(document.body, { childList: true, subtree: true, characterData: true });
          });
        }
        """;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var pageCount = options.Pages!.Value;
        var data = Path.Combine(Path.GetTempPath(), "roomsportal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var loadAtStart = File.ReadAllText("/proc/loadavg").Trim();
        var password = "Bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)) + "-x";
        var timeout = TimeSpan.FromSeconds(60);
        var figures = new PagesFigures { Pages = pageCount, Redemptions = options.Redemptions, LoadAverageAtStart = loadAtStart };
        Console.WriteLine($"Starting the portal (Release, Production, SQLite) in {data}");
        try
        {
            var environment = new Dictionary<string, string> { [PortalHost.AdminPasswordVariable] = password };
            await using var portal = await PortalProcess.StartAsync(data, options.Postgres, TimeSpan.FromMinutes(2), environment);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await portal.CommandAsync("manufacturer " + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), timeout);
            var reply = (await portal.CommandAsync($"prepare pages {options.Redemptions + 1}", TimeSpan.FromMinutes(5))).Split(' ');
            var codes = await File.ReadAllLinesAsync(reply[1]);
            await portal.CommandAsync("auto off", timeout);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = RoomsPortal.Testing.ChromiumLocator.Find(),
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            });
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.Address.ToString() });
            await SignInAsync(context, password);

            Console.WriteLine($"Opening {pageCount} Approvals pages (one circuit each)");
            var opening = Stopwatch.StartNew();
            // The first page pays for what any first page does (JIT, EF's compiled queries, the metrics' first points):
            // memory per circuit is read across the other pages.
            var pages = new List<IPage> { await OpenApprovalsAsync(context) };
            var before = await MemoryAsync(portal, timeout);
            for (var i = 1; i < pageCount; i++)
            {
                pages.Add(await OpenApprovalsAsync(context));
            }

            figures.OpenSeconds = opening.Elapsed.TotalSeconds;
            var after = await MemoryAsync(portal, timeout);
            figures.ManagedBefore = before.Managed;
            figures.ManagedAfter = after.Managed;
            figures.RssBefore = before.Rss;
            figures.RssAfter = after.Rss;

            Console.WriteLine($"{options.Redemptions} consoles redeem one after another; each request is approved once every page shows it");
            for (var round = 0; round <= options.Redemptions; round++)
            {
                // Round 0 is a warm-up (first redemption after the start, JIT): proves every page is live, not counted.
                var console = new SwarmConsole(round, ConsoleMode.Redeem, codes[round]);
                var serial = SwarmConsole.DeviceOf(key, round).SerialNumber;
                await WatchAsync(pages, serial, gone: false);
                using var http = SwarmConsole.HttpClientFrom(SwarmConsole.AddressOf(round), portal.Address);
                await using var client = new ConsoleSetupClient(http, SwarmConsole.DeviceOf(key, round));
                using var bound = new CancellationTokenSource(timeout);
                var redeemStart = WallClockMs();
                await Swarm.RedeemAsync(client, console, _ => { }, bound.Token);
                var redeemAnswer = WallClockMs();
                var shown = await SeenAsync(pages, timeout);

                await WatchAsync(pages, serial, gone: true);
                var approveStart = WallClockMs();
                await portal.CommandAsync($"approve {console.RequestId}", timeout);
                var approveAnswer = WallClockMs();
                var cleared = await SeenAsync(pages, timeout);
                if (round > 0)
                {
                    figures.RedeemCallMs.Add(redeemAnswer - redeemStart);
                    figures.ShownAfterAnswerMs.AddRange(shown.Select(t => t - redeemAnswer));
                    figures.EveryPageShownAfterAnswerMs.Add(shown.Max() - redeemAnswer);
                    figures.ApproveCallMs.Add(approveAnswer - approveStart);
                    figures.ClearedAfterAnswerMs.AddRange(cleared.Select(t => t - approveAnswer));
                    figures.EveryPageClearedAfterAnswerMs.Add(cleared.Max() - approveAnswer);
                }
            }

            figures.LoadAverageAtEnd = File.ReadAllText("/proc/loadavg").Trim();
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A file still closing: the temp folder is cleared by the OS.
            }
        }

        figures.Print(Console.Out);
        Directory.CreateDirectory(options.OutputDirectory);
        var file = Path.Combine(options.OutputDirectory, $"pages-{DateTime.UtcNow:yyyyMMdd-HHmmss}-p{pageCount}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"Written to {file}");
        return 0;
    }

    private static async Task<IPage> OpenApprovalsAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/approvals");
        await page.Locator(".mud-layout[data-interactive='true']").WaitForAsync(new() { Timeout = 60_000 });
        await page.Locator("[data-testid='approvals-grid'], [data-testid='approvals-empty']").First.WaitForAsync(new() { Timeout = 60_000 });
        return page;
    }

    /// <summary>Signs in once as the first administrator; every page of the context shares the cookie.</summary>
    private static async Task SignInAsync(IBrowserContext context, string password)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        await page.GetByTestId("user-name").FillAsync("admin");
        await page.GetByTestId("password").FillAsync(password);
        await page.GetByTestId("sign-in").ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in", StringComparison.OrdinalIgnoreCase), new() { Timeout = 60_000 });
        // Leaving the page ends its circuit (Blazor's unload beacon), so the memory read next starts without one.
        await page.CloseAsync(new() { RunBeforeUnload = true });
    }

    private static async Task<(long Managed, long Rss)> MemoryAsync(PortalProcess portal, TimeSpan timeout)
    {
        var managed = long.Parse((await portal.CommandAsync("memory", timeout)).Split(' ')[1], CultureInfo.InvariantCulture);
        return (managed, portal.ReadRss());
    }

    private static Task WatchAsync(List<IPage> pages, string serial, bool gone) =>
        Task.WhenAll(pages.Select(p => p.EvaluateAsync(InstallWatch, new object[] { serial, gone })));

    private static async Task<double[]> SeenAsync(List<IPage> pages, TimeSpan timeout) =>
        await Task.WhenAll(pages.Select(p => p.EvaluateAsync<double>("() => window.__benchSeen"))).WaitAsync(timeout);

    private static double WallClockMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
}
