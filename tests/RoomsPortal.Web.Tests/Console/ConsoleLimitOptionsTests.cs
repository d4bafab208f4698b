using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Console;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// The console and sign-in limits are settings with documented defaults in appsettings.json; a value that cannot work
/// stops the start naming its key. The per-address limits let a building behind one NAT come up while wrong codes, the
/// guesses, have their own hourly budget.
/// </summary>
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

    [Fact]
    public async Task Limits_default_to_the_documented_values_and_bind_from_settings()
    {
        await using var defaults = new PortalFactory().InProduction();
        await using var set = new PortalFactory().InProduction()
            .WithSetting("ConsoleThrottle:FailedRedemptionsPerAddressPerHour", "7")
            .WithSetting("SignInThrottle:AttemptsPerAddressPerMinute", "9");

        var console = defaults.Services.GetRequiredService<IOptions<ConsoleThrottleOptions>>().Value;
        var signIn = defaults.Services.GetRequiredService<IOptions<SignInThrottleOptions>>().Value;

        Assert.Equal((120, 5, 120, 60, 5, 20), (console.VerificationsPerAddressPerMinute, console.RedemptionsPerDevicePerMinute,
            console.RedemptionsPerAddressPerMinute, console.FailedRedemptionsPerAddressPerHour, console.ManualSetupsPerDevicePerMinute,
            console.ManualSetupsPerAddressPerMinute));
        Assert.Equal((20, 10), (signIn.AttemptsPerAddressPerMinute, signIn.AttemptsPerUserNamePerFiveMinutes));
        Assert.Equal(7, set.Services.GetRequiredService<IOptions<ConsoleThrottleOptions>>().Value.FailedRedemptionsPerAddressPerHour);
        Assert.Equal(9, set.Services.GetRequiredService<IOptions<SignInThrottleOptions>>().Value.AttemptsPerAddressPerMinute);
    }

    [Fact]
    public async Task Behind_one_address_right_codes_pass_the_old_limit_and_wrong_ones_spend_the_hourly_budget()
    {
        // Production on an empty database, the default per-minute limits, a guess budget of 3 an hour. The in-memory
        // client gives every console the same (unknown) source address: one NAT.
        await using var portal = new PortalFactory().InProduction().WithSetting("DemoData:Enabled", "false")
            .WithSetting("ConsoleThrottle:FailedRedemptionsPerAddressPerHour", "3");
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        using var http = portal.CreateDefaultClient();
        var codes = await CodesAsync(portal.Services, 41);

        // More right codes than the former 30 a minute from one address, then three wrong ones.
        for (var i = 0; i < 40; i++)
        {
            var redeemed = await (await ReadyAsync(http, contoso, $"SN-NAT-{i}")).RedeemOtpAsync(codes[i], Ct);
            Assert.Equal(SetupStatus.Pending, redeemed.Status);
        }

        for (var i = 0; i < 3; i++)
        {
            var miss = await Assert.ThrowsAsync<ConsoleApiException>(() => ReadyAndRedeemAsync(http, contoso, $"SN-GUESS-{i}", "BCDF-GHJK-LMNP"));
            Assert.Equal(ConsoleErrorCodes.OtpInvalid, miss.Code);
        }

        var spent = await Assert.ThrowsAsync<ConsoleApiException>(() => ReadyAndRedeemAsync(http, contoso, "SN-NAT-40", codes[40]));

        Assert.Equal((HttpStatusCode.TooManyRequests, ConsoleErrorCodes.TooManyAttempts), (spent.Status, spent.Code));
        Assert.InRange(spent.RetryAfter!.Value.TotalMinutes, 1, 60);
    }

    [Fact]
    public async Task A_redemption_refused_for_the_agreement_spends_no_guess()
    {
        // Production on an empty database, a guess budget of 2 an hour, one NAT. Three consoles that have not accepted
        // the agreement (a new one was published, say) redeem: 409 agreement_required checks no code, so it is no guess.
        await using var portal = new PortalFactory().InProduction().WithSetting("DemoData:Enabled", "false")
            .WithSetting("ConsoleThrottle:FailedRedemptionsPerAddressPerHour", "2");
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        using var http = portal.CreateDefaultClient();
        var codes = await CodesAsync(portal.Services, 4);
        for (var i = 0; i < 3; i++)
        {
            var console = new ConsoleSetupClient(http, contoso.Console($"SN-AGREE-{i}"));
            await console.VerifyDeviceAsync(Ct);
            var refused = await Assert.ThrowsAsync<ConsoleApiException>(() => console.RedeemOtpAsync(codes[i], Ct));
            Assert.Equal(ConsoleErrorCodes.AgreementRequired, refused.Code);
        }

        var redeemed = await ReadyAndRedeemAsync(http, contoso, "SN-AGREE-3", codes[3]);

        Assert.Equal(SetupStatus.Pending, redeemed.Status);
    }

    private static async Task<IReadOnlyList<string>> CodesAsync(IServiceProvider services, int count)
    {
        var admin = PortalProvisioning.Admin;
        Assert.True((await services.GetRequiredService<RoomGroupService>().CreateAsync("Building 1", admin, Ct)).Succeeded);
        var csv = "upn,display name,room group,password\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"room-{i:D2}@contoso.example,Room {i:D2},Building 1,\n"));
        var accounts = services.GetRequiredService<ResourceAccountService>();
        Assert.Empty((await accounts.ImportAsync(csv, admin, AccessScope.All, Ct)).Errors);
        var ids = (await accounts.ListAsync(new ResourceAccountQuery(PageSize: count), AccessScope.All, Ct)).Items.Select(a => a.Id).ToList();
        var batch = await services.GetRequiredService<OtpService>().GenerateAsync(
            new OtpBatchRequest(ids, OtpPasswordMode.GeneratePasswords), admin, AccessScope.All, Ct);
        return [.. batch.Value!.Items.Select(i => i.Code)];
    }

    private static async Task<SetupStatusResponse> ReadyAndRedeemAsync(HttpClient http, TestManufacturer maker, string serial, string code) =>
        await (await ReadyAsync(http, maker, serial)).RedeemOtpAsync(code, Ct);

    private static async Task<ConsoleSetupClient> ReadyAsync(HttpClient http, TestManufacturer maker, string serial)
    {
        var console = new ConsoleSetupClient(http, maker.Console(serial));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync((await console.GetAgreementAsync(Ct)).Version, Ct);
        return console;
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
