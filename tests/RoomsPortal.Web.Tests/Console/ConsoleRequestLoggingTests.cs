using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// Request lines reach the portal's log file through the configured logger; a console's successful call is Debug (so not
/// written at the default Information level), its refused call a Warning, and the refusal itself one Information line.
/// </summary>
public sealed class ConsoleRequestLoggingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_successful_console_call_is_logged_at_Debug_and_a_refused_one_reaches_the_file_as_a_warning()
    {
        // Debug for the request lines alone, so the successful call's line is written and its level can be read; the
        // default stays Information, where that line is not written at all.
        await using var portal = new PortalFactory().UseRealPort()
            .WithSetting("Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware", "Debug");
        await SucceedThenMissAsync(portal, "SN-LOG-1");

        var verified = await LineAsync(portal, "POST /api/console/v1/verification responded 200");
        var refused = await LineAsync(portal, "/api/console/v1/otp/redeem responded 4");
        var told = await LineAsync(portal, "Redemption by console SN-LOG-1");
        Assert.Contains("[DBG]", verified, StringComparison.Ordinal);
        Assert.Contains("[WRN]", refused, StringComparison.Ordinal);
        Assert.Contains("[INF]", told, StringComparison.Ordinal);
        Assert.Contains("refused: ", told, StringComparison.Ordinal);
        Assert.Contains("Unknown", told, StringComparison.Ordinal);
        Assert.DoesNotContain("BCDF", await portal.ReadLogsAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_the_default_level_a_successful_console_call_writes_no_line()
    {
        await using var portal = new PortalFactory().UseRealPort();
        await SucceedThenMissAsync(portal, "SN-LOG-2");

        // The refused call's line is written after the verification's (the console waited for that answer first).
        await LineAsync(portal, "/api/console/v1/otp/redeem responded 4");
        Assert.DoesNotContain("/api/console/v1/verification responded", await portal.ReadLogsAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>A console verifies and accepts the agreement (successful calls), then redeems a code that does not exist.</summary>
    private static async Task SucceedThenMissAsync(PortalFactory portal, string serial)
    {
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        var console = new ConsoleSetupClient(http, contoso.Console(serial));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        await Assert.ThrowsAsync<ConsoleApiException>(() => console.RedeemOtpAsync("BCDF-GHJK-LMNP", Ct));
    }

    private static Task<string> LineAsync(PortalFactory portal, string fragment) => portal.WaitForLogLineAsync(fragment, Patience, Ct);
}
