using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Verification;
using RoomsPortal.Web.Api.Console;

namespace RoomsPortal.Web.Hubs;

/// <summary>
/// Turns a console hub refusal into a completion whose <c>error</c> is exactly <c>{code}: {message}</c>.
/// </summary>
/// <remarks>
/// SignalR offers no option for this: its dispatcher sends a thrown <see cref="HubException"/> as
/// "An unexpected error occurred invoking 'Watch' on the server. HubException: ..." and logs it as an error with its
/// stack trace. So the filter catches the refusal before the dispatcher sees it, logs a warning (at most
/// <see cref="RefusalLog.WarningsPerMinute"/> a minute; the rest at Debug) and returns a <see cref="ConsoleHubError"/>,
/// which <see cref="ConsoleHubProtocol"/> writes as the completion's error. It also checks, on every call, that the
/// connection's credential is still live (not expired, not replaced by a newer one), except for an Unwatch of a request
/// the connection watches (<see cref="ConsoleHub.IsUnwatchOfWatched"/>: it reads nothing and only gives up a push). A
/// call the console hung up on before its answer (the connection closed, so nothing can be answered) is one Debug
/// line, not SignalR's "Failed to invoke hub method" error with a stack trace.
/// </remarks>
internal sealed partial class ConsoleHubFilter(DeviceVerificationService verification, WatchedRequests watched, RefusalLog refusals, ILogger<ConsoleHub> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        if (invocationContext.Hub is not ConsoleHub)
        {
            return await next(invocationContext);
        }

        var context = invocationContext.Context;
        try
        {
            if (ConsoleHub.IsUnwatchOfWatched(invocationContext, watched))
            {
                return await next(invocationContext);
            }

            if (!await verification.IsLiveAsync(context.User!.SessionId(), context.ConnectionAborted))
            {
                // The sweep closes the connection shortly (ConsoleCredentialSweep); until then nothing is answered.
                throw new ConsoleHubException(ConsoleErrorCodes.CredentialRequired, "the device credential expired or was replaced; verify again and reconnect.");
            }

            return await next(invocationContext);
        }
        catch (ConsoleHubException refused)
        {
            refusals.Refused(invocationContext.HubMethodName, refused.Code, context.ConnectionId);
            return new ConsoleHubError(refused.Message);
        }
        catch (OperationCanceledException) when (context.ConnectionAborted.IsCancellationRequested)
        {
            LogEndedUnanswered(logger, invocationContext.HubMethodName, context.ConnectionId);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Console hub call {HubMethod} ended unanswered: connection {ConnectionId} closed during it")]
    private static partial void LogEndedUnanswered(ILogger logger, string hubMethod, string connectionId);
}

/// <summary>A refusal travelling from <see cref="ConsoleHubFilter"/> to <see cref="ConsoleHubProtocol"/> in place of a result.</summary>
internal sealed record ConsoleHubError(string Message);

/// <summary>
/// SignalR's JSON protocol (with the console protocol's serializer settings, <see cref="ConsoleJson"/>), which writes
/// a completion carrying a <see cref="ConsoleHubError"/> as an error completion. <see cref="ConsoleHubProtocolResolver"/>
/// hands it out in place of the built-in "json" protocol; the console hub is the only hub that speaks JSON (Blazor's
/// circuit uses its own protocol).
/// </summary>
internal sealed class ConsoleHubProtocol(IHubProtocol inner) : IHubProtocol
{
    private readonly IHubProtocol _inner = inner;

    public string Name => _inner.Name;

    public int Version => _inner.Version;

    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        _inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(AsError(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(AsError(message));

    private static HubMessage AsError(HubMessage message) =>
        message is CompletionMessage { HasResult: true, Result: ConsoleHubError error, InvocationId: { } id }
            ? CompletionMessage.WithError(id, error.Message)
            : message;
}

/// <summary>
/// SignalR's protocol resolver, with the JSON protocol wrapped in <see cref="ConsoleHubProtocol"/>. Replacing the
/// resolver (rather than the "json" registration) holds whatever order hosts call <c>AddSignalR</c> in.
/// </summary>
internal sealed class ConsoleHubProtocolResolver : IHubProtocolResolver
{
    private readonly Dictionary<string, IHubProtocol> _protocols = new(StringComparer.OrdinalIgnoreCase);

    public ConsoleHubProtocolResolver(IEnumerable<IHubProtocol> protocols)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        foreach (var protocol in protocols)
        {
            _protocols[protocol.Name] = protocol is JsonHubProtocol ? new ConsoleHubProtocol(protocol) : protocol;
        }

        AllProtocols = [.. _protocols.Values];
    }

    public IReadOnlyList<IHubProtocol> AllProtocols { get; }

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols)
    {
        ArgumentNullException.ThrowIfNull(protocolName);
        return _protocols.TryGetValue(protocolName, out var protocol)
            && (supportedProtocols is null || supportedProtocols.Contains(protocolName, StringComparer.OrdinalIgnoreCase))
            ? protocol
            : null;
    }
}

/// <summary>
/// Logs console hub refusals without flooding: any verified console can make them at will, so at most
/// <see cref="WarningsPerMinute"/> a minute are warnings, the rest Debug. Never an error, never a stack trace.
/// </summary>
internal sealed partial class RefusalLog(TimeProvider time, ILogger<ConsoleHub> logger)
{
    public const int WarningsPerMinute = 10;

    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _warnings;
    private int _suppressed;

    public void Refused(string method, string code, string connectionId)
    {
        int suppressed;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _windowStart >= TimeSpan.FromMinutes(1))
            {
                _windowStart = now;
                _warnings = 0;
            }

            if (_warnings >= WarningsPerMinute)
            {
                _suppressed++;
                LogRefusedQuietly(logger, method, code, connectionId);
                return;
            }

            _warnings++;
            suppressed = _suppressed;
            _suppressed = 0;
        }

        LogRefused(logger, method, code, connectionId, suppressed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console hub refused {HubMethod} with {Code} on connection {ConnectionId} ({Suppressed} earlier refusals logged at Debug)")]
    private static partial void LogRefused(ILogger logger, string hubMethod, string code, string connectionId, int suppressed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Console hub refused {HubMethod} with {Code} on connection {ConnectionId}")]
    private static partial void LogRefusedQuietly(ILogger logger, string hubMethod, string code, string connectionId);
}
