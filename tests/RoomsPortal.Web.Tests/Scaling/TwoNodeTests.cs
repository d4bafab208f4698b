using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Testing;
using RoomsPortal.Web.Infrastructure.Redis;
using StackExchange.Redis;

namespace RoomsPortal.Web.Tests.Scaling;

/// <summary>
/// Two portal nodes over one database and one Redis, as behind a load balancer: what happens on one node reaches
/// consoles and pages connected to the other. Needs a Redis server: scripts/test.sh starts one.
/// </summary>
public sealed class TwoNodeTests
{
    private const string Variable = "ROOMSPORTAL_TEST_REDIS";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_approval_taken_on_one_node_is_pushed_to_a_console_waiting_on_the_other()
    {
        var redis = RedisServer();
        var channel = "roomsportal-test:" + Guid.NewGuid().ToString("N");
        await using var nodeA = new PortalFactory().KeepData().UseRealPort()
            .WithSetting("Redis:ConnectionString", redis).WithSetting("Redis:Channel", channel);
        await using var nodeB = new PortalFactory(nodeA.DataDirectory).KeepData().UseRealPort()
            .WithSetting("Redis:ConnectionString", redis).WithSetting("Redis:Channel", channel);
        using var contoso = new TestManufacturer();
        await contoso.RegisterAsync(nodeA.Services, Ct);
        var adminOnB = new PortalProvisioning(nodeB.Services);
        await adminOnB.SetPreferencesAsync(autoApproval: false, ct: Ct);
        var account = await adminOnB.CreateAccountAsync("room-2.01@contoso.com", ct: Ct);
        var otp = await adminOnB.IssueOtpAsync(account, "room-2.01@contoso.com", ct: Ct);
        using var http = new HttpClient { BaseAddress = nodeA.ServerAddress };
        var console = new ConsoleSetupClient(http, contoso.Console("SN-NODE-A"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        var redeemed = await console.RedeemOtpAsync(otp.Code, Ct);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = console.WaitForDecisionAsync(redeemed.RequestId, new FirstStatus(subscribed), Ct);
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await adminOnB.ApproveAsync(redeemed.RequestId, Ct);
        var decided = await waiting.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Equal(SetupStatus.Approved, decided.Status);
        Assert.Equal("room-2.01@contoso.com", decided.AccountUpn);
        Assert.IsType<RedisProvisioningNotifier>(nodeA.Services.GetRequiredService<IProvisioningNotifier>());
    }

    [Fact]
    public void Events_keep_their_content_on_the_wire()
    {
        var request = new ApprovalRequestChanged(Guid.NewGuid(), Guid.NewGuid(), ApprovalStatus.Rejected, "SN-1");
        var otp = new OtpChanged(Guid.NewGuid(), Guid.NewGuid(), null, "Revoked");

        Assert.Equal(request, RedisProvisioningNotifier.Deserialize(RedisProvisioningNotifier.Serialize(request)));
        Assert.Equal(otp, RedisProvisioningNotifier.Deserialize(RedisProvisioningNotifier.Serialize(otp)));
        Assert.Null(RedisProvisioningNotifier.Deserialize("{\"type\":\"SomethingNew\",\"event\":{}}"));
        var batch = new OtpBatchGenerated(Guid.NewGuid(), [Guid.NewGuid(), Guid.NewGuid()], [Guid.NewGuid()]);
        var batchBack = Assert.IsType<OtpBatchGenerated>(RedisProvisioningNotifier.Deserialize(RedisProvisioningNotifier.Serialize(batch)));
        Assert.Equal(batch.BatchId, batchBack.BatchId);
        Assert.Equal(batch.ResourceAccountIds, batchBack.ResourceAccountIds);
        Assert.Equal(batch.RoomGroupIds, batchBack.RoomGroupIds);
    }

    [Fact]
    public async Task With_Redis_unreachable_a_node_still_hears_its_own_events()
    {
        var closedPort = new ConfigurationOptions { EndPoints = { { "127.0.0.1", 1 } }, AbortOnConnectFail = false, ConnectTimeout = 200 };
        using var redis = await ConnectionMultiplexer.ConnectAsync(closedPort);
        using var notifier = new RedisProvisioningNotifier(redis, Options.Create(new RedisOptions()), NullLoggerFactory.Instance);
        var heard = new TaskCompletionSource<ProvisioningEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = notifier.Subscribe(e => heard.TrySetResult(e));
        var change = new OtpChanged(Guid.NewGuid(), Guid.NewGuid(), null, "Generated");

        await notifier.PublishAsync(change);

        Assert.Equal(change, await heard.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct));
    }

    private static string RedisServer() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                $"{Variable} is not set. Run the tests with scripts/test.sh, which starts Redis, or set {Variable} to host:port of a Redis server.");

    private sealed class FirstStatus(TaskCompletionSource subscribed) : IProgress<SetupStatusResponse>
    {
        public void Report(SetupStatusResponse value) => subscribed.TrySetResult();
    }
}
