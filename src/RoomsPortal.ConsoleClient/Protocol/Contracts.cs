namespace RoomsPortal.ConsoleClient.Protocol;

/// <summary>Body of <c>POST /api/console/v1/verification</c>: what the console is, and its verification information.</summary>
/// <param name="Make">Manufacturer, as printed on the console (at most 100 characters).</param>
/// <param name="Model">Model name (at most 100 characters).</param>
/// <param name="SerialNumber">Serial number (at most 64 characters).</param>
/// <param name="FirmwareVersion">Firmware version, optional (at most 64 characters).</param>
/// <param name="VerificationInfo">The manufacturer-signed statement carried by the HDMI ingest module; null when none was found.</param>
public sealed record VerifyDeviceRequest(string Make, string Model, string SerialNumber, string? FirmwareVersion, string? VerificationInfo);

/// <summary>Answer to a successful device verification.</summary>
/// <param name="DeviceToken">The console credential: send it as <c>Authorization: Bearer</c> on the next calls and to the hub.</param>
/// <param name="ExpiresAt">When the credential stops working; verify again to get a new one.</param>
/// <param name="AgreementAccepted">True when this device already accepted the end user agreement.</param>
public sealed record VerifyDeviceResponse(string DeviceToken, DateTimeOffset ExpiresAt, bool AgreementAccepted);

/// <summary>Answer of <c>GET /api/console/v1/agreement</c>: the end user agreement the console shows and the user accepts.</summary>
/// <param name="Version">The agreement's version: send it back to accept this text (at most 32 characters).</param>
/// <param name="Text">The agreement as plain text; paragraphs are separated by a blank line.</param>
public sealed record AgreementResponse(string Version, string Text);

/// <summary>Body of <c>POST /api/console/v1/agreement</c>.</summary>
/// <param name="Version">The version of the end user agreement the user accepted: the current one.</param>
public sealed record AcceptAgreementRequest(string Version);

/// <summary>Body of <c>POST /api/console/v1/otp/redeem</c>.</summary>
/// <param name="Code">The one-time password as typed; case, dashes and spaces are ignored.</param>
public sealed record RedeemOtpRequest(string Code);

/// <summary>Body of <c>POST /api/console/v1/manual-setup</c>.</summary>
/// <param name="Email">The resource account's sign-in address.</param>
/// <param name="Password">The resource account's password.</param>
public sealed record ManualSetupRequest(string Email, string Password);

/// <summary>Where a console's setup stands.</summary>
public enum SetupStatus
{
    /// <summary>Waiting for an IT admin to approve or reject.</summary>
    Pending,

    /// <summary>Approved; the console may fetch its sign-in data once.</summary>
    Approved,

    /// <summary>An IT admin rejected the request; see the reason.</summary>
    Rejected,

    /// <summary>Nobody decided before the one-time password expired.</summary>
    Expired,

    /// <summary>The console fetched its sign-in data and is signed in.</summary>
    SignedIn,
}

/// <summary>The state of one setup request, as the portal's database holds it.</summary>
/// <param name="RequestId">The approval request's id.</param>
/// <param name="Status">Its status.</param>
/// <param name="ApprovedAutomatically">True when the portal approved it without an admin.</param>
/// <param name="AccountUpn">The resource account the console signs in with, once approved.</param>
/// <param name="RejectionReason">Why it was rejected, when rejected.</param>
/// <param name="RejectionNote">The admin's note, when rejected with one.</param>
/// <param name="ExpiresAt">When a pending request expires (the one-time password's expiry).</param>
public sealed record SetupStatusResponse(
    Guid RequestId,
    SetupStatus Status,
    bool ApprovedAutomatically,
    string? AccountUpn,
    string? RejectionReason,
    string? RejectionNote,
    DateTimeOffset? ExpiresAt)
{
    /// <summary>
    /// True when an admin's decision can no longer change the status (anything but <see cref="SetupStatus.Pending"/>):
    /// a console waiting for a decision stops waiting. Sent on the wire as <c>isFinal</c>; only <c>Approved</c> moves on,
    /// to <c>SignedIn</c>, when the console claims its sign-in data.
    /// </summary>
    public bool IsFinal => Status is not SetupStatus.Pending;
}

/// <summary>The resource account's sign-in data, released once per approved request.</summary>
/// <param name="Upn">The account's user principal name.</param>
/// <param name="Password">The account's password.</param>
public sealed record SignInDataResponse(string Upn, string Password);

/// <summary>The result of a successful manual setup.</summary>
/// <param name="AccountUpn">The account the console is now signed in with.</param>
public sealed record ManualSetupResponse(string AccountUpn);

/// <summary>The names used on the console hub at <c>/hubs/console</c>.</summary>
public static class ConsoleHubNames
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/console";

    /// <summary>Client → server: watch a request; returns its current <see cref="SetupStatusResponse"/>.</summary>
    public const string Watch = "Watch";

    /// <summary>
    /// Client → server: stop receiving a request's <see cref="StatusChanged"/> on this connection, which stays open for
    /// the next <see cref="Watch"/>. No result.
    /// </summary>
    public const string Unwatch = "Unwatch";

    /// <summary>Server → client: a watched request changed; the argument is a <see cref="SetupStatusResponse"/>.</summary>
    public const string StatusChanged = "StatusChanged";

    /// <summary>
    /// Server → client, just before the portal closes the connection: the credential it was opened with expired or was
    /// replaced by a newer one. The argument is a <see cref="CredentialEndedMessage"/>. Verify again if needed, reconnect, Watch.
    /// </summary>
    public const string CredentialExpired = "CredentialExpired";
}

/// <summary>Why the portal closes a hub connection.</summary>
public enum CredentialEndReason
{
    /// <summary>The device credential ran out (an hour after verification).</summary>
    Expired,

    /// <summary>The console verified again: the newer credential replaced this one.</summary>
    Revoked,
}

/// <summary>The argument of <see cref="ConsoleHubNames.CredentialExpired"/>.</summary>
/// <param name="Reason">Why the connection is closed.</param>
public sealed record CredentialEndedMessage(CredentialEndReason Reason);
