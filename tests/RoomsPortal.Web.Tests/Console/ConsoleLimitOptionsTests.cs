using System.Net;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>The per-address verification budget is a setting; a value that cannot work stops the start naming its key.</summary>
public sealed class ConsoleLimitOptionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Verifications_per_address_come_from_ConsoleThrottle_settings()
    {
        await using var portal = new PortalFactory().UseRealPort()
            .WithSetting("ConsoleThrottle:VerificationsPerAddressPerMinute", "3");
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };

        // Three consoles from one address (a building behind one NAT) verify; the fourth is over the budget.
        for (var i = 0; i < 3; i++)
        {
            await new ConsoleSetupClient(http, contoso.Console($"SN-LIMIT-{i}")).VerifyDeviceAsync(Ct);
        }

        var throttled = await Assert.ThrowsAsync<ConsoleApiException>(
            () => new ConsoleSetupClient(http, contoso.Console("SN-LIMIT-3")).VerifyDeviceAsync(Ct));

        Assert.Equal((HttpStatusCode.TooManyRequests, ConsoleErrorCodes.TooManyAttempts), (throttled.Status, throttled.Code));
    }

    [Theory]
    [InlineData("ConsoleThrottle:VerificationsPerAddressPerMinute", "0")]
    [InlineData("ConsoleThrottle:RedemptionsPerAddressPerMinute", "-5")]
    [InlineData("ConsoleThrottle:ManualSetupsPerDevicePerMinute", "100000")]
    public async Task Start_fails_naming_the_key_of_a_console_limit_out_of_range(string key, string value)
    {
        await using var portal = new PortalFactory().WithSetting(key, value);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => portal.CreateClient());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
