using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Startup;

/// <summary>
/// The portal builds one logger per category: the framework asks its logger factory for one per hub connection and per
/// authenticated request, and Serilog's own factory built a new one each time (about 2.8 KB a waiting console).
/// </summary>
public sealed class LoggerFactoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_category_asked_for_twice_gets_the_same_logger_and_its_lines_still_reach_the_file()
    {
        // Production, as deployed: the factory the portal runs with there, not a development one.
        await using var portal = new PortalFactory().InProduction().UseRealPort();
        var loggers = portal.Services.GetRequiredService<ILoggerFactory>();

        // What SignalR asks for each connection.
        var first = loggers.CreateLogger(typeof(HubConnectionContext).FullName!);
        Assert.Same(first, loggers.CreateLogger(typeof(HubConnectionContext).FullName!));
        var mine = loggers.CreateLogger("RoomsPortal.Web.Tests.LoggerFactory");
        Assert.Same(mine, loggers.CreateLogger("RoomsPortal.Web.Tests.LoggerFactory"));
        Assert.NotSame(first, mine);

        var marker = Guid.NewGuid().ToString("N");
        mine.LogWarning("A line through the cached logger {Marker}", marker);
        var line = await portal.WaitForLogLineAsync(marker, TimeSpan.FromSeconds(20), Ct);
        Assert.Contains("[WRN]", line, StringComparison.Ordinal);
    }
}
