using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoomsPortal.Core.Notifications;
using StackExchange.Redis;

namespace RoomsPortal.Web.Infrastructure.Redis;

/// <summary>Redis for running several portal nodes behind a load balancer; unset on a single node.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis:6379</c>; empty means one node, no Redis.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The pub/sub channel provisioning events travel on; nodes of one portal share it.</summary>
    [Required]
    [MaxLength(100)]
    public string Channel { get; set; } = "roomsportal:provisioning";
}

/// <summary>
/// Carries provisioning events between portal nodes over Redis pub/sub, so an approval taken on one node reaches the
/// approvals pages and the waiting consoles connected to every node. Each node delivers what arrives to its own
/// subscribers (circuits, the console hub publisher). Events are hints that name ids only, never codes or passwords;
/// a node that misses one still shows the truth on the next read. If Redis is unreachable, this node still hears its
/// own events.
/// </summary>
public sealed partial class RedisProvisioningNotifier : IProvisioningNotifier, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly InProcessProvisioningNotifier _local;
    private readonly IConnectionMultiplexer _redis;
    private readonly ISubscriber _subscriber;
    private readonly RedisChannel _channel;
    private readonly ILogger<RedisProvisioningNotifier> _logger;

    public RedisProvisioningNotifier(
        IConnectionMultiplexer redis, Microsoft.Extensions.Options.IOptions<RedisOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _local = new InProcessProvisioningNotifier(loggers.CreateLogger<InProcessProvisioningNotifier>());
        _logger = loggers.CreateLogger<RedisProvisioningNotifier>();
        _channel = RedisChannel.Literal(options.Value.Channel);
        _redis = redis;
        _subscriber = redis.GetSubscriber();
        // Fire and forget: the node starts even while Redis is down, and the client subscribes again on every
        // reconnect. This node's own events come back through Redis too, in order with everyone else's.
        _subscriber.Subscribe(_channel, (channel, message) => _ = DeliverAsync(message), CommandFlags.FireAndForget);
    }

    public IDisposable Subscribe(Func<ProvisioningEvent, Task> handler) => _local.Subscribe(handler);

    public IDisposable Subscribe(Action<ProvisioningEvent> handler) => _local.Subscribe(handler);

    public IDisposable SubscribeBursts(Func<IReadOnlyList<ProvisioningEvent>, Task> handler) => _local.SubscribeBursts(handler);

    public async Task PublishAsync(ProvisioningEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!_redis.IsConnected)
        {
            // Waiting for Redis would hold up the admin's click; this node's pages and consoles hear it now.
            LogPublishedLocally(_logger, change.GetType().Name);
            await _local.PublishAsync(change);
            return;
        }

        try
        {
            await _subscriber.PublishAsync(_channel, Serialize(change));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // RedisTimeoutException is a TimeoutException: a connection that died unnoticed times out rather than fails.
            LogPublishFailed(_logger, ex, change.GetType().Name);
            await _local.PublishAsync(change);
        }
    }

    public void Dispose()
    {
        _subscriber.Unsubscribe(_channel, flags: CommandFlags.FireAndForget);
        _local.Dispose();
    }

    public static string Serialize(ProvisioningEvent change) => change switch
    {
        ApprovalRequestChanged request => JsonSerializer.Serialize(new Envelope(nameof(ApprovalRequestChanged), JsonSerializer.SerializeToElement(request, Json)), Json),
        OtpChanged otp => JsonSerializer.Serialize(new Envelope(nameof(OtpChanged), JsonSerializer.SerializeToElement(otp, Json)), Json),
        OtpBatchGenerated batch => JsonSerializer.Serialize(new Envelope(nameof(OtpBatchGenerated), JsonSerializer.SerializeToElement(batch, Json)), Json),
        _ => throw new NotSupportedException($"No wire format for {change.GetType().Name}."),
    };

    public static ProvisioningEvent? Deserialize(string json)
    {
        var envelope = JsonSerializer.Deserialize<Envelope>(json, Json);
        return envelope?.Type switch
        {
            nameof(ApprovalRequestChanged) => envelope.Event.Deserialize<ApprovalRequestChanged>(Json),
            nameof(OtpChanged) => envelope.Event.Deserialize<OtpChanged>(Json),
            nameof(OtpBatchGenerated) => envelope.Event.Deserialize<OtpBatchGenerated>(Json),
            _ => null,
        };
    }

    private async Task DeliverAsync(RedisValue message)
    {
        ProvisioningEvent? change;
        try
        {
            change = Deserialize(message.ToString());
        }
        catch (JsonException ex)
        {
            LogUnreadable(_logger, ex);
            return;
        }

        if (change is not null)
        {
            await _local.PublishAsync(change);
        }
    }

    private sealed record Envelope(string Type, JsonElement Event);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unreachable: {EventType} reached this node only; other nodes will show it on their next read")]
    private static partial void LogPublishFailed(ILogger logger, Exception ex, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is not connected: {EventType} reached this node only; other nodes will show it on their next read")]
    private static partial void LogPublishedLocally(ILogger logger, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unreadable provisioning event from Redis")]
    private static partial void LogUnreadable(ILogger logger, Exception ex);
}

/// <summary>
/// Whether this node reaches Redis (when Redis is configured). Registered as <c>Degraded</c> on failure, not
/// <c>Unhealthy</c>: without Redis the node still serves and its own pages and consoles still get live updates, so
/// <c>/health/ready</c> keeps answering 200 and load balancers keep it in rotation; the JSON says what is missing.
/// </summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public const string Unreachable = "Redis is unreachable: this node keeps serving and its own pages and consoles still get live updates, "
        + "but changes made on other nodes reach them only when they re-read.";

    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!redis.IsConnected)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, Unreachable);
        }

        try
        {
            // A dead connection not yet noticed would hold the ping until the client's own timeout; the probe waits less.
            await redis.GetDatabase().PingAsync().WaitAsync(PingTimeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, Unreachable, ex);
        }
    }
}

internal static class RedisSetup
{
    /// <summary>With <c>Redis:ConnectionString</c> set, provisioning events travel between nodes through Redis.</summary>
    public static IServiceCollection AddRedisWhenConfigured(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var connection = configuration[$"{RedisOptions.Section}:ConnectionString"];
        if (string.IsNullOrWhiteSpace(connection))
        {
            return services;
        }

        var redisOptions = ConfigurationOptions.Parse(connection);
        // Start even if Redis is down; the client keeps reconnecting and the ready check reports Degraded meanwhile.
        redisOptions.AbortOnConnectFail = false;
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redisOptions));
        services.AddSingleton<IProvisioningNotifier, RedisProvisioningNotifier>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, [DependencyInjection.ReadyTag]);
        return services;
    }
}
