using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Security;

/// <summary>
/// X-Forwarded-For is believed only from the proxies in <c>ForwardedHeaders</c>: then the console throttle and the
/// audit log see the client's address; from anyone else (even loopback) the header is ignored.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string WrongCode = "BCDF-GHJK-LMNP";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "127.0.0.1")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "127.0.0.0/8")]
    public async Task Behind_a_trusted_proxy_the_throttle_and_the_audit_see_the_client_address(string key, string trusted)
    {
        await using var portal = ThrottledPortal().WithSetting(key, trusted);
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);

        using var clientA = ClaimingClient(portal, "203.0.113.10");
        using var clientB = ClaimingClient(portal, "203.0.113.20");

        await MissAsync(clientA, contoso, "SN-A-1");
        await MissAsync(clientA, contoso, "SN-A-2");
        var third = await ReadyAsync(clientA, contoso, "SN-A-3");
        var throttled = await Assert.ThrowsAsync<ConsoleApiException>(() => third.RedeemOtpAsync(WrongCode, Ct));
        await MissAsync(clientB, contoso, "SN-B-1");

        Assert.Equal((HttpStatusCode.TooManyRequests, ConsoleErrorCodes.TooManyAttempts), (throttled.Status, throttled.Code));
        var audit = await SecurityDetailsAsync(portal);
        Assert.Contains(audit, d => d.Contains("serial SN-A-1", StringComparison.Ordinal) && d.Contains("source 203.0.113.10", StringComparison.Ordinal));
        Assert.Contains(audit, d => d.Contains("serial SN-B-1", StringComparison.Ordinal) && d.Contains("source 203.0.113.20", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, d => d.Contains("127.0.0.1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("10.1.1.1")]
    public async Task From_a_sender_that_is_not_a_trusted_proxy_the_header_is_ignored_even_on_loopback(string? otherProxy)
    {
        await using var portal = ThrottledPortal().WithSetting("ForwardedHeaders:KnownProxies:0", otherProxy);
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);

        using var client1 = ClaimingClient(portal, "203.0.113.30");
        using var client2 = ClaimingClient(portal, "203.0.113.31");
        using var client3 = ClaimingClient(portal, "203.0.113.32");

        await MissAsync(client1, contoso, "SN-C-1");
        await MissAsync(client2, contoso, "SN-C-2");
        // A third sender claims yet another address: the portal still counts all three as 127.0.0.1.
        var third = await ReadyAsync(client3, contoso, "SN-C-3");
        var throttled = await Assert.ThrowsAsync<ConsoleApiException>(() => third.RedeemOtpAsync(WrongCode, Ct));

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
        var audit = await SecurityDetailsAsync(portal);
        Assert.Contains(audit, d => d.Contains("serial SN-C-1", StringComparison.Ordinal) && d.Contains("source 127.0.0.1", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, d => d.Contains("203.0.113.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "abc", "ForwardedHeaders:KnownNetworks:0 'abc' is not a network in CIDR form (for example 10.0.0.0/8)")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.1", "ForwardedHeaders:KnownNetworks:0 '10.0.0.1' is not a network in CIDR form")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "10.0.0", "ForwardedHeaders:KnownProxies:0 '10.0.0' is not an IP address (for example 10.0.0.5)")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "proxy.example", "ForwardedHeaders:KnownProxies:0 'proxy.example' is not an IP address")]
    public async Task A_value_that_is_not_an_address_or_network_stops_the_start_naming_the_key(string key, string value, string message)
    {
        await using var portal = new PortalFactory().WithSetting(key, value);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => portal.CreateClient());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static PortalFactory ThrottledPortal() => new PortalFactory().UseRealPort()
        .WithSetting("ConsoleThrottle:RedemptionsPerDevicePerMinute", "100")
        .WithSetting("ConsoleThrottle:RedemptionsPerAddressPerMinute", "2");

    /// <summary>A client whose every call carries <c>X-Forwarded-For: claimedAddress</c>, as a proxy in front would add it.</summary>
    private static HttpClient ClaimingClient(PortalFactory portal, string claimedAddress)
    {
        var http = new HttpClient { BaseAddress = portal.ServerAddress };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", claimedAddress);
        return http;
    }

    private static async Task MissAsync(HttpClient http, TestManufacturer maker, string serial)
    {
        var console = await ReadyAsync(http, maker, serial);
        var miss = await Assert.ThrowsAsync<ConsoleApiException>(() => console.RedeemOtpAsync(WrongCode, Ct));
        Assert.Equal(ConsoleErrorCodes.OtpInvalid, miss.Code);
    }

    private static async Task<ConsoleSetupClient> ReadyAsync(HttpClient http, TestManufacturer maker, string serial)
    {
        var console = new ConsoleSetupClient(http, maker.Console(serial));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        return console;
    }

    private static async Task<List<string>> SecurityDetailsAsync(PortalFactory portal)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.Set<AuditEntry>().Where(e => e.Category == AuditCategory.Security).Select(e => e.Details ?? "").ToListAsync(Ct);
    }
}
