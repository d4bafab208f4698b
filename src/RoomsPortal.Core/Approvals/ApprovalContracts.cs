namespace RoomsPortal.Core.Approvals;

public enum RedeemError
{
    InvalidFormat,
    InvalidDevice,
    Unknown,
    Expired,
    Revoked,
    AlreadyUsed,
    DeviceLockedOut,
}

public enum DecisionError
{
    NotFound,
    AlreadyDecided,
    Expired,
    InvalidReason,

    /// <summary>The note holds invisible formatting or control characters (<see cref="Common.TextRules"/>).</summary>
    InvalidNote,

    /// <summary>The resource account was disabled after the console redeemed; enable it first, or reject.</summary>
    AccountDisabled,
}

public enum ClaimError
{
    /// <summary>No such request, or it belongs to another console.</summary>
    NotFound,
    NotApproved,
    AlreadyClaimed,

    /// <summary>The account was disabled after the request was approved: its password is not released.</summary>
    AccountDisabled,
}

public enum ConsoleRequestError
{
    NotFound,
}

public enum ManualSignInError
{
    /// <summary>Unknown account or wrong password: one answer, so accounts cannot be probed.</summary>
    InvalidCredentials,
    AccountDisabled,
    DeviceLockedOut,
}

/// <summary>What a console sees of its own request.</summary>
public enum ConsoleSetupStatus
{
    Pending,
    Approved,
    Rejected,
    Expired,
    SignedIn,
}

/// <summary>A successful redemption. Retried: the same console redeemed the same code before.</summary>
public sealed record RedemptionOutcome(Guid RequestId, ApprovalStatus Status, bool AutoApproved, bool Retried, DateTimeOffset ExpiresAt);

/// <summary>A decision taken.</summary>
public sealed record DecisionOutcome(Guid RequestId, ApprovalStatus Status, Guid? DeviceId);

/// <summary>The sign-in data released once to the approved console.</summary>
public sealed record SignInData(string Upn, string Password)
{
    public override string ToString() => $"SignInData {{ Upn = {Upn}, Password = *** }}";
}

/// <summary>The console protocol's status answer.</summary>
public sealed record ConsoleRequestStatus(
    Guid RequestId,
    ConsoleSetupStatus Status,
    bool AutoApproved,
    string? AccountUpn,
    RejectReason? RejectReason,
    string? RejectNote,
    DateTimeOffset ExpiresAt,
    bool SignInDataReleased);

public sealed record ManualSignInOutcome(string AccountUpn, Guid DeviceId);

/// <summary>Sort order of the approvals queue.</summary>
public enum ApprovalSort
{
    RequestedNewestFirst,
    RequestedOldestFirst,
    ExpiresSoonestFirst,
}

/// <summary>Filter of the approvals queue and the account detail's OTP tab.</summary>
public sealed record ApprovalQuery(
    ApprovalStatus? Status = null,
    Guid? RoomGroupId = null,
    Guid? AccountId = null,
    ApprovalSort Sort = ApprovalSort.RequestedNewestFirst,
    int Page = 1,
    int PageSize = 50);

/// <summary>A request as the approvals queue shows it (status already reflects expiry).</summary>
public sealed record ApprovalRequestView(
    Guid Id,
    Guid OtpId,
    Guid AccountId,
    string AccountUpn,
    string AccountDisplayName,
    Guid? RoomGroupId,
    ApprovalStatus Status,
    bool AutoApproved,
    DateTimeOffset RequestedAt,
    DateTimeOffset ExpiresAt,
    string Make,
    string Model,
    string Serial,
    string? Firmware,
    string? SourceAddress,
    DateTimeOffset? DecidedAt,
    string? DecidedBy,
    RejectReason? RejectReason,
    string? RejectNote);
