using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>Guessing is slowed per device and per source address, and a device that keeps failing is locked out.</summary>
public sealed class ConsoleThrottlingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Redemption_past_the_per_device_limit_gets_429_with_Retry_After()
    {
        await using var portal = new PortalFactory().UseRealPort()
            .WithSetting("ConsoleThrottle:RedemptionsPerDevicePerMinute", "3");
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        var console = await ReadyAsync(http, contoso, "SN-THROTTLE-1");
        var other = await ReadyAsync(http, contoso, "SN-THROTTLE-2");

        for (var i = 0; i < 3; i++)
        {
            var miss = await Assert.ThrowsAsync<ConsoleApiException>(() => console.RedeemOtpAsync("BCDF-GHJK-LMNP", Ct));
            Assert.Equal(ConsoleErrorCodes.OtpInvalid, miss.Code);
        }

        var throttled = await Assert.ThrowsAsync<ConsoleApiException>(() => console.RedeemOtpAsync("BCDF-GHJK-LMNP", Ct));
        var otherDevice = await Assert.ThrowsAsync<ConsoleApiException>(() => other.RedeemOtpAsync("BCDF-GHJK-LMNP", Ct));

        Assert.Equal((HttpStatusCode.TooManyRequests, ConsoleErrorCodes.TooManyAttempts), (throttled.Status, throttled.Code));
        Assert.NotNull(throttled.RetryAfter);
        Assert.InRange(throttled.RetryAfter!.Value.TotalSeconds, 1, 60);
        Assert.Equal(ConsoleErrorCodes.OtpInvalid, otherDevice.Code);
    }

    [Fact]
    public async Task Redemption_past_the_per_address_limit_gets_429_whatever_the_device()
    {
        await using var portal = new PortalFactory().UseRealPort()
            .WithSetting("ConsoleThrottle:RedemptionsPerDevicePerMinute", "100")
            .WithSetting("ConsoleThrottle:RedemptionsPerAddressPerMinute", "4");
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };

        for (var i = 0; i < 4; i++)
        {
            var console = await ReadyAsync(http, contoso, $"SN-ADDR-{i}");
            var miss = await Assert.ThrowsAsync<ConsoleApiException>(() => console.RedeemOtpAsync("BCDF-GHJK-LMNP", Ct));
            Assert.Equal(ConsoleErrorCodes.OtpInvalid, miss.Code);
        }

        var fresh = await ReadyAsync(http, contoso, "SN-ADDR-NEW");
        var throttled = await Assert.ThrowsAsync<ConsoleApiException>(() => fresh.RedeemOtpAsync("BCDF-GHJK-LMNP", Ct));

        Assert.Equal((HttpStatusCode.TooManyRequests, ConsoleErrorCodes.TooManyAttempts), (throttled.Status, throttled.Code));
    }

    [Fact]
    public async Task A_device_that_keeps_failing_is_locked_out_even_with_the_right_code_and_every_failure_is_audited()
    {
        await using var portal = new PortalFactory().UseRealPort()
            .WithSetting("ConsoleThrottle:RedemptionsPerDevicePerMinute", "100");
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        var admin = new PortalProvisioning(portal.Services);
        await admin.SetPreferencesAsync(autoApproval: true, ct: Ct);
        var account = await admin.CreateAccountAsync("room-9@contoso.com", ct: Ct);
        var otp = await admin.IssueOtpAsync(account, "room-9@contoso.com", ct: Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        var guesser = await ReadyAsync(http, contoso, "SN-GUESS-1");

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<ConsoleApiException>(() => guesser.RedeemOtpAsync($"BCDF-GHJK-LMN{"PQRST"[i]}", Ct));
        }

        var locked = await Assert.ThrowsAsync<ConsoleApiException>(() => guesser.RedeemOtpAsync(otp.Code, Ct));
        var lockedManual = await Assert.ThrowsAsync<ConsoleApiException>(() => guesser.ManualSetupAsync("room-9@contoso.com", "Room-Pass-1234!", Ct));
        var honest = await ReadyAsync(http, contoso, "SN-HONEST-2");
        var redeemed = await honest.RedeemOtpAsync(otp.Code, Ct);

        Assert.Equal((HttpStatusCode.Locked, ConsoleErrorCodes.DeviceLockedOut), (locked.Status, locked.Code));
        Assert.InRange(locked.RetryAfter!.Value.TotalMinutes, 14, 15);
        Assert.Equal(ConsoleErrorCodes.DeviceLockedOut, lockedManual.Code);
        Assert.Equal(SetupStatus.Approved, redeemed.Status);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var failures = await db.Set<AuditEntry>().Where(e => e.Category == AuditCategory.Security).ToListAsync(Ct);
        Assert.True(failures.Count >= 5, $"every failed redemption is audited; found {failures.Count}");
        Assert.All(failures, e => Assert.DoesNotContain("BCDF", e.Details ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_locked_out_device_is_told_423_with_the_real_Retry_After_from_its_first_refused_try()
    {
        // Default limits: the sixth guess within the minute meets both the per-device throttle and the lockout.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new PortalFactory().UseRealPort()
            .WithServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        var guesser = await ReadyAsync(http, contoso, "SN-LOCK-1", clock);
        for (var i = 0; i < 5; i++)
        {
            var miss = await Assert.ThrowsAsync<ConsoleApiException>(() => guesser.RedeemOtpAsync($"BCDF-GHJK-LMN{"PQRST"[i]}", Ct));
            Assert.Equal(ConsoleErrorCodes.OtpInvalid, miss.Code);
        }

        var sixth = await Assert.ThrowsAsync<ConsoleApiException>(() => guesser.RedeemOtpAsync("BCDF-GHJK-LMNV", Ct));
        clock.Advance(TimeSpan.FromMinutes(5));
        var later = await Assert.ThrowsAsync<ConsoleApiException>(() => guesser.RedeemOtpAsync("BCDF-GHJK-LMNW", Ct));
        var manual = await Assert.ThrowsAsync<ConsoleApiException>(() => guesser.ManualSetupAsync("room@contoso.com", "guess", Ct));

        Assert.Equal((HttpStatusCode.Locked, ConsoleErrorCodes.DeviceLockedOut), (sixth.Status, sixth.Code));
        Assert.Equal(TimeSpan.FromMinutes(15), sixth.RetryAfter);
        Assert.Equal((HttpStatusCode.Locked, ConsoleErrorCodes.DeviceLockedOut), (later.Status, later.Code));
        Assert.Equal(TimeSpan.FromMinutes(10), later.RetryAfter);
        Assert.Equal((HttpStatusCode.Locked, TimeSpan.FromMinutes(10)), (manual.Status, manual.RetryAfter));
    }

    private static async Task<ConsoleSetupClient> ReadyAsync(HttpClient http, TestManufacturer maker, string serial, TimeProvider? clock = null)
    {
        var console = new ConsoleSetupClient(http, maker.Console(serial), clock);
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        return console;
    }
}
