using System.Net;
using System.Text.Json;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Testing;
using RoomsPortal.Web.Infrastructure;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Scaling;

/// <summary>
/// Redis going away under a running node: the node stays ready (Degraded, 200, with the reason) and its own
/// consoles still get their decisions pushed live. The test runs its own redis-server, so it can stop it.
/// </summary>
public sealed class RedisOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_Redis_stopped_the_node_stays_ready_as_Degraded_and_its_own_console_still_gets_the_approval_pushed()
    {
        await using var redis = await PrivateRedis.StartAsync(Ct);
        await using var node = new PortalFactory().UseRealPort()
            .WithSetting("Redis:ConnectionString", redis.ConnectionString)
            .WithSetting("Redis:Channel", "roomsportal-test:" + Guid.NewGuid().ToString("N"));
        using var http = new HttpClient { BaseAddress = node.ServerAddress };
        var before = await ReadyAsync(http);
        Assert.Equal((HttpStatusCode.OK, "Healthy", "Healthy"), (before.Code, before.Status, before.Redis.Status));

        await redis.StopAsync(Ct);
        var after = await WaitForAsync(http, r => r.Redis.Status == "Degraded");

        Assert.Equal((HttpStatusCode.OK, "Degraded"), (after.Code, after.Status));
        Assert.Contains("Redis is unreachable", after.Redis.Description, StringComparison.Ordinal);
        Assert.Contains("this node keeps serving", after.Redis.Description, StringComparison.Ordinal);
        Assert.Equal("Healthy", after.Database);
        using var probeOutput = new StringWriter();
        Assert.Equal(0, await HealthProbe.RunAsync([HealthProbe.Argument, new Uri(node.ServerAddress, "/health/ready").ToString()], probeOutput));

        // A console on this node waits for its decision; the admin approves on this node; the push still arrives.
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(node.Services, Ct);
        var admin = new PortalProvisioning(node.Services);
        await admin.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var account = await admin.CreateAccountAsync("room-3.01@contoso.com", ct: Ct);
        var otp = await admin.IssueOtpAsync(account, "room-3.01@contoso.com", ct: Ct);
        var console = new ConsoleSetupClient(http, contoso.Console("SN-NO-REDIS"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, new FirstStatus(subscribed), Ct);
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        await admin.ApproveAsync(redeemed.RequestId, Ct);
        var decided = await waiting.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Equal(SetupStatus.Approved, decided.Status);
        Assert.Equal("room-3.01@contoso.com", decided.AccountUpn);
    }

    private static async Task<Readiness> WaitForAsync(HttpClient http, Func<Readiness, bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var last = await ReadyAsync(http);
        while (!condition(last))
        {
            try
            {
                await poll.WaitForNextTickAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                Assert.Fail($"/health/ready did not reach the expected state within 30 s; last: {last}");
            }

            last = await ReadyAsync(http);
        }

        return last;
    }

    private static async Task<Readiness> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var checks = body.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => new Check(c.GetProperty("status").GetString()!, c.GetProperty("description").GetString()));
        return new Readiness(response.StatusCode, body.RootElement.GetProperty("status").GetString()!, checks["redis"], checks["database"].Status);
    }

    private sealed record Check(string Status, string? Description);

    private sealed record Readiness(HttpStatusCode Code, string Status, Check Redis, string Database);

    private sealed class FirstStatus(TaskCompletionSource subscribed) : IProgress<SetupStatusResponse>
    {
        public void Report(SetupStatusResponse value) => subscribed.TrySetResult();
    }
}
