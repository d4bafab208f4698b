using RoomsPortal.Testing;
using RoomsPortal.Web.Infrastructure;

namespace RoomsPortal.Web.Tests.Health;

public sealed class HealthProbeTests
{
    [Fact]
    public async Task Probe_exits_0_against_a_ready_portal()
    {
        await using var portal = new PortalFactory().UseRealPort();
        using var output = new StringWriter();

        var exit = await HealthProbe.RunAsync([HealthProbe.Argument, new Uri(portal.ServerAddress, "/health/ready").ToString()], output);

        Assert.Equal(0, exit);
        Assert.Contains(": 200", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_exits_1_when_nothing_listens()
    {
        using var output = new StringWriter();

        // Port 9 (discard) is closed on loopback here.
        var exit = await HealthProbe.RunAsync([HealthProbe.Argument, "http://127.0.0.1:9/health/ready"], output);

        Assert.Equal(1, exit);
        Assert.Contains("not reachable", output.ToString(), StringComparison.Ordinal);
    }
}
