using System.Security.Cryptography;
using System.Text;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;

namespace RoomsPortal.Web.Security;

/// <summary>Why a sign-in attempt failed, as recorded (the person only ever reads a generic message).</summary>
public enum SignInFailure
{
    /// <summary>No such user, or the password is wrong.</summary>
    InvalidCredentials,

    /// <summary>The account is locked out after repeated failures.</summary>
    LockedOut,

    /// <summary>The account is disabled by an administrator.</summary>
    NotAllowed,

    /// <summary>Too many attempts from this address or for this user name.</summary>
    Throttled,
}

/// <summary>
/// Records sign-in attempts. The logging implementation is the default; the audit log of Core replaces it by
/// registering another implementation. Implementations never receive the password.
/// </summary>
public interface ISignInAuditor
{
    Task SignInSucceededAsync(string userId, string userName, string? sourceAddress, CancellationToken ct = default);

    Task SignInFailedAsync(string attemptedUserName, SignInFailure reason, string? sourceAddress, CancellationToken ct = default);

    Task SignedOutAsync(string userId, string userName, CancellationToken ct = default);

    Task PasswordChangedAsync(string userId, string userName, CancellationToken ct = default);
}

/// <summary>Writes sign-in events to the log. A failed attempt's user name is logged as a short hash (it may be a mistyped password).</summary>
public sealed partial class LoggingSignInAuditor(ILogger<LoggingSignInAuditor> logger) : ISignInAuditor
{
    public Task SignInSucceededAsync(string userId, string userName, string? sourceAddress, CancellationToken ct = default)
    {
        LogSucceeded(logger, userName, userId, sourceAddress ?? "unknown");
        return Task.CompletedTask;
    }

    public Task SignInFailedAsync(string attemptedUserName, SignInFailure reason, string? sourceAddress, CancellationToken ct = default)
    {
        LogFailed(logger, HashUserName(attemptedUserName), reason, sourceAddress ?? "unknown");
        return Task.CompletedTask;
    }

    public Task SignedOutAsync(string userId, string userName, CancellationToken ct = default)
    {
        LogSignedOut(logger, userName);
        return Task.CompletedTask;
    }

    public Task PasswordChangedAsync(string userId, string userName, CancellationToken ct = default)
    {
        LogPasswordChanged(logger, userName, userId);
        return Task.CompletedTask;
    }

    /// <summary>The first 12 hex digits of SHA-256 of the trimmed, upper-cased name: correlates attempts without storing what was typed.</summary>
    public static string HashUserName(string userName) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userName.Trim().ToUpperInvariant())))[..12];

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-in of {UserName} ({UserId}) from {SourceAddress} succeeded")]
    private static partial void LogSucceeded(ILogger logger, string userName, string userId, string sourceAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in failed for user name hash {UserNameHash} from {SourceAddress}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string userNameHash, SignInFailure reason, string sourceAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "{UserName} signed out")]
    private static partial void LogSignedOut(ILogger logger, string userName);

    [LoggerMessage(Level = LogLevel.Information, Message = "{UserName} ({UserId}) changed the password")]
    private static partial void LogPasswordChanged(ILogger logger, string userName, string userId);
}

/// <summary>
/// Writes sign-in events to the audit log (category Security) as well as to the log. A failed attempt's user name is
/// kept only as its short hash, like in the log: people sometimes type their password into the user name box.
/// </summary>
internal sealed class AuditLogSignInAuditor(AuditService audit, LoggingSignInAuditor log) : ISignInAuditor
{
    public async Task SignInSucceededAsync(string userId, string userName, string? sourceAddress, CancellationToken ct = default)
    {
        await log.SignInSucceededAsync(userId, userName, sourceAddress, ct);
        await audit.RecordAsync(Actor.User(userId, userName), AuditCategory.Security, AuditOperations.SignedIn, userName,
            AuditResult.Successful, $"source {sourceAddress ?? "unknown"}", ct);
    }

    public async Task SignInFailedAsync(string attemptedUserName, SignInFailure reason, string? sourceAddress, CancellationToken ct = default)
    {
        await log.SignInFailedAsync(attemptedUserName, reason, sourceAddress, ct);
        if (reason == SignInFailure.Throttled)
        {
            // A refused flood must not turn into one database write per request: the log line is enough.
            return;
        }

        var hash = LoggingSignInAuditor.HashUserName(attemptedUserName);
        await audit.RecordAsync(new Actor("anonymous", "Anonymous", ActorKind.User), AuditCategory.Security, AuditOperations.SignInFailed,
            $"user name hash {hash}", AuditResult.Failed, $"{reason}; source {sourceAddress ?? "unknown"}", ct);
    }

    public async Task SignedOutAsync(string userId, string userName, CancellationToken ct = default)
    {
        await log.SignedOutAsync(userId, userName, ct);
        await audit.RecordAsync(Actor.User(userId, userName), AuditCategory.Security, AuditOperations.SignedOut, userName, AuditResult.Successful, ct: ct);
    }

    public async Task PasswordChangedAsync(string userId, string userName, CancellationToken ct = default)
    {
        await log.PasswordChangedAsync(userId, userName, ct);
        await audit.RecordAsync(Actor.User(userId, userName), AuditCategory.Security, AuditOperations.PasswordChanged, userName, AuditResult.Successful, ct: ct);
    }
}
