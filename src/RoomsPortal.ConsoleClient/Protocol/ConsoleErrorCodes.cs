namespace RoomsPortal.ConsoleClient.Protocol;

/// <summary>The stable <c>code</c> values of the portal's problem details; a console switches on these.</summary>
public static class ConsoleErrorCodes
{
    /// <summary>400: the body is malformed or a field is missing or too long; <c>errors</c> names each field.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>401: no valid device credential; verify the device again.</summary>
    public const string CredentialRequired = "device_credential_required";

    /// <summary>422: no verification information was sent (connect the HDMI ingest module and restart).</summary>
    public const string VerificationInfoNotFound = "verification_info_not_found";

    /// <summary>422: the make and model are not certified.</summary>
    public const string DeviceNotCertified = "device_not_certified";

    /// <summary>422: the verification information does not check out.</summary>
    public const string VerificationInfoInvalid = "verification_info_invalid";

    /// <summary>409: accept the end user agreement before setting up an account.</summary>
    public const string AgreementRequired = "agreement_required";

    /// <summary>409: the version accepted is not the current agreement's; <c>currentVersion</c> names it. Show its text and accept again.</summary>
    public const string AgreementVersionMismatch = "agreement_version_mismatch";

    /// <summary>400: the code has characters outside the one-time password alphabet or the wrong length.</summary>
    public const string OtpMalformed = "otp_malformed";

    /// <summary>404: the code is not known (deliberately says nothing more).</summary>
    public const string OtpInvalid = "otp_invalid";

    /// <summary>410: the code's validity has run out; ask the IT admin for a new one.</summary>
    public const string OtpExpired = "otp_expired";

    /// <summary>410: the IT admin revoked the code; ask for a new one.</summary>
    public const string OtpRevoked = "otp_revoked";

    /// <summary>409: another console already used the code.</summary>
    public const string OtpAlreadyUsed = "otp_already_used";

    /// <summary>404: no such request for this console.</summary>
    public const string RequestNotFound = "request_not_found";

    /// <summary>409: the request is not approved, or its sign-in data was already released.</summary>
    public const string SignInDataUnavailable = "sign_in_data_unavailable";

    /// <summary>401: manual setup with an email and password that do not match an account.</summary>
    public const string InvalidCredentials = "invalid_credentials";

    /// <summary>
    /// 403 or 409: the resource account is disabled. 403 for manual setup; 409 for the sign-in data of a request approved
    /// before an IT admin disabled the account (enabling it again lets the console fetch them).
    /// </summary>
    public const string AccountDisabled = "account_disabled";

    /// <summary>429: too many attempts; wait for <c>Retry-After</c> seconds.</summary>
    public const string TooManyAttempts = "too_many_attempts";

    /// <summary>423: this device failed too often and is locked out until the time in <c>Retry-After</c>.</summary>
    public const string DeviceLockedOut = "device_locked_out";

    /// <summary>404: no such address under <c>/api</c> (a mistyped path, a request id that is not a GUID, or a newer protocol version than this portal has).</summary>
    public const string NotFound = "not_found";

    /// <summary>405: the address exists but not for this HTTP method; <c>Allow</c> lists the methods it takes.</summary>
    public const string MethodNotAllowed = "method_not_allowed";

    /// <summary>401: a portal API (not a console call) needs a signed-in user.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>403: the signed-in user may not make this call.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>500: the portal failed unexpectedly; the answer carries no details. Report <c>traceId</c> to the portal's administrator.</summary>
    public const string InternalError = "internal_error";
}
