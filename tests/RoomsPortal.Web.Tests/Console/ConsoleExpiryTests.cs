using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>The portal runs on a fake clock: a pending request runs out while its console waits.</summary>
public sealed class ConsoleExpiryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_nobody_decides_expires_with_its_code_and_the_waiting_console_is_told()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new PortalFactory().UseRealPort()
            .WithServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(portal.Services, Ct);
        var admin = new PortalProvisioning(portal.Services);
        await admin.SetPreferencesAsync(autoApproval: false, validityHours: 1, ct: Ct);
        var account = await admin.CreateAccountAsync("room-7@contoso.com", ct: Ct);
        var otp = await admin.IssueOtpAsync(account, "room-7@contoso.com", ct: Ct);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        var console = new ConsoleSetupClient(http, contoso.Console("SN-SLOW-1"), clock);
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, new Progress(first), Ct);
        await first.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var decided = await waiting.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Equal(SetupStatus.Expired, decided.Status);
        Assert.Equal(redeemed.ExpiresAt, decided.ExpiresAt);
        var tooLate = await Assert.ThrowsAsync<ConsoleApiException>(() => console.ClaimSignInDataAsync(redeemed.RequestId, Ct));
        Assert.Equal((HttpStatusCode.Conflict, ConsoleErrorCodes.SignInDataUnavailable), (tooLate.Status, tooLate.Code));
    }

    private sealed class Progress(TaskCompletionSource first) : IProgress<SetupStatusResponse>
    {
        public void Report(SetupStatusResponse value) => first.TrySetResult();
    }
}
