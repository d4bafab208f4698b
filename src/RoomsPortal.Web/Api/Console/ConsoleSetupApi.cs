using System.Globalization;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Web.Api.Console;

/// <summary>
/// The account part of the console protocol: redeem a one-time password, follow the request, fetch the sign-in data
/// once, or set up manually (docs/console-protocol.md sections 4 to 7).
/// </summary>
public static class ConsoleSetupApi
{
    public const int MaxCodeLength = 64;
    public const int MaxEmailLength = 256;
    public const int MaxPasswordLength = 256;

    public static RouteGroupBuilder MapConsoleSetup(this RouteGroupBuilder device)
    {
        ArgumentNullException.ThrowIfNull(device);
        device.MapPost("/otp/redeem", RedeemAsync).AddEndpointFilterFactory(ConsoleThrottle.Redemption);
        device.MapGet("/requests/{requestId:guid}", GetStatusAsync);
        device.MapPost("/requests/{requestId:guid}/sign-in-data", ClaimSignInDataAsync);
        device.MapPost("/manual-setup", ManualSetupAsync).AddEndpointFilterFactory(ConsoleThrottle.ManualSetup);
        return device;
    }

    private static async Task<IResult> RedeemAsync(
        HttpContext http, ApprovalService approvals, AgreementService agreements, TimeProvider time, CancellationToken ct)
    {
        var (body, problem) = await ConsoleRequestReader.ReadAsync<RedeemOtpRequest>(http.Request, ct);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Code) || body.Code.Length > MaxCodeLength)
        {
            return ConsoleProblems.InvalidRequest("code", $"code is required and at most {MaxCodeLength} characters.");
        }

        if (!await agreements.IsCurrentAsync(http.User.AcceptedAgreementVersion(), ct))
        {
            return AgreementRequired();
        }

        var device = DeviceOf(http);
        var result = await approvals.RedeemAsync(body.Code, device, ConsoleRateLimits.SourceAddress(http), ct);
        if (result.Succeeded)
        {
            return await StatusAsync(approvals, result.Value!.RequestId, device.Key, ct);
        }

        return result.Error switch
        {
            RedeemError.InvalidFormat => ConsoleProblems.Problem(
                StatusCodes.Status400BadRequest, ConsoleErrorCodes.OtpMalformed, "That is not a one-time password.",
                "A one-time password has 12 letters in three groups of four, like BCDF-GHJK-LMNP. Check the code and type it again."),
            RedeemError.Expired => ConsoleProblems.Problem(
                StatusCodes.Status410Gone, ConsoleErrorCodes.OtpExpired, "This one-time password has expired.",
                "Ask your IT admin for a new one-time password."),
            RedeemError.Revoked => ConsoleProblems.Problem(
                StatusCodes.Status410Gone, ConsoleErrorCodes.OtpRevoked, "This one-time password was revoked.",
                "Ask your IT admin for a new one-time password."),
            RedeemError.AlreadyUsed => ConsoleProblems.Problem(
                StatusCodes.Status409Conflict, ConsoleErrorCodes.OtpAlreadyUsed, "This one-time password was already used by another console.",
                "Each code sets up one console. Ask your IT admin for a new one-time password."),
            RedeemError.DeviceLockedOut => await LockedOutAsync(http, approvals, time, device.Key, ct),
            RedeemError.InvalidDevice => ConsoleProblems.InvalidRequest("device", "The device details from verification are not valid; verify the device again."),
            _ => ConsoleProblems.Problem(
                StatusCodes.Status404NotFound, ConsoleErrorCodes.OtpInvalid, "That one-time password isn't valid.",
                "Check the code with your IT admin and type it again."),
        };
    }

    private static async Task<IResult> GetStatusAsync(Guid requestId, HttpContext http, ApprovalService approvals, CancellationToken ct) =>
        await StatusAsync(approvals, requestId, http.User.DeviceKey(), ct);

    private static async Task<IResult> ClaimSignInDataAsync(Guid requestId, HttpContext http, ApprovalService approvals, CancellationToken ct)
    {
        var result = await approvals.ClaimSignInDataAsync(requestId, http.User.DeviceKey(), ct);
        if (result.Succeeded)
        {
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new SignInDataResponse(result.Value!.Upn, result.Value.Password));
        }

        return result.Error switch
        {
            ClaimError.NotFound => RequestNotFound(),
            ClaimError.AccountDisabled => ConsoleProblems.Problem(
                StatusCodes.Status409Conflict,
                ConsoleErrorCodes.AccountDisabled,
                "This resource account is disabled.",
                "An IT admin disabled the account after approving this console. Ask them to enable it in the portal, then try again."),
            _ => ConsoleProblems.Problem(
                StatusCodes.Status409Conflict,
                ConsoleErrorCodes.SignInDataUnavailable,
                result.Error == ClaimError.AlreadyClaimed ? "The sign-in data was already released to this console." : "This request is not approved.",
                result.Error == ClaimError.AlreadyClaimed
                    ? "Sign-in data is released once. If the console lost it, ask your IT admin for a new one-time password."
                    : "Wait for an IT admin to approve the request, then try again."),
        };
    }

    private static async Task<IResult> ManualSetupAsync(
        HttpContext http, ManualSetupService manual, ApprovalService approvals, AgreementService agreements, TimeProvider time, CancellationToken ct)
    {
        var (body, problem) = await ConsoleRequestReader.ReadAsync<ManualSetupRequest>(http.Request, ct);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body!.Email) || body.Email.Length > MaxEmailLength)
        {
            errors["email"] = $"email is required and at most {MaxEmailLength} characters.";
        }

        if (string.IsNullOrEmpty(body.Password) || body.Password.Length > MaxPasswordLength)
        {
            errors["password"] = $"password is required and at most {MaxPasswordLength} characters.";
        }

        if (errors.Count > 0)
        {
            return ConsoleProblems.InvalidRequest(errors);
        }

        if (!await agreements.IsCurrentAsync(http.User.AcceptedAgreementVersion(), ct))
        {
            return AgreementRequired();
        }

        var device = DeviceOf(http);
        var result = await manual.ManualSignInAsync(body.Email.Trim(), body.Password, device, ConsoleRateLimits.SourceAddress(http), ct);
        if (result.Succeeded)
        {
            return TypedResults.Ok(new ManualSetupResponse(result.Value!.AccountUpn));
        }

        return result.Error switch
        {
            ManualSignInError.DeviceLockedOut => await LockedOutAsync(http, approvals, time, device.Key, ct),
            ManualSignInError.AccountDisabled => ConsoleProblems.Problem(
                StatusCodes.Status403Forbidden, ConsoleErrorCodes.AccountDisabled, "This resource account is disabled.",
                "Ask your IT admin to enable the account in the portal, then try again."),
            _ => ConsoleProblems.Problem(
                StatusCodes.Status401Unauthorized, ConsoleErrorCodes.InvalidCredentials, "The email or password is incorrect.",
                "Check the resource account's email and password with your IT admin and try again."),
        };
    }

    internal static async Task<IResult> StatusAsync(ApprovalService approvals, Guid requestId, string deviceKey, CancellationToken ct)
    {
        var status = await approvals.GetStatusForDeviceAsync(requestId, deviceKey, ct);
        return status.Succeeded ? TypedResults.Ok(ConsoleStatus.ToResponse(status.Value!)) : RequestNotFound();
    }

    /// <summary>423 with the seconds left until the lockout ends (it never moves: refused attempts do not count).</summary>
    internal static async Task<IResult> LockedOutAsync(HttpContext http, ApprovalService approvals, TimeProvider time, string deviceKey, CancellationToken ct)
    {
        var until = await approvals.GetLockoutAsync(deviceKey, ct);
        return LockedOut(http, until - time.GetUtcNow());
    }

    internal static IResult LockedOut(HttpContext http, TimeSpan? remaining)
    {
        var seconds = ConsoleProblems.SetRetryAfter(http, remaining);
        return ConsoleProblems.Problem(
            StatusCodes.Status423Locked,
            ConsoleErrorCodes.DeviceLockedOut,
            "This console is locked out after too many failed attempts.",
            $"Wait {Math.Ceiling(seconds / 60.0).ToString(CultureInfo.InvariantCulture)} minutes, then try again with a code from your IT admin.");
    }

    private static DeviceInfo DeviceOf(HttpContext http)
    {
        var identity = http.User.Device();
        return new DeviceInfo(identity.SerialNumber, identity.Make, identity.Model, identity.FirmwareVersion);
    }

    private static IResult AgreementRequired() => ConsoleProblems.Problem(
        StatusCodes.Status409Conflict,
        ConsoleErrorCodes.AgreementRequired,
        "The end user agreement has not been accepted.",
        "Show the current end user agreement (GET /api/console/v1/agreement), accept it, then set up the account.");

    private static IResult RequestNotFound() => ConsoleProblems.Problem(
        StatusCodes.Status404NotFound,
        ConsoleErrorCodes.RequestNotFound,
        "No such request for this console.",
        "Redeem the one-time password again to get this console's request.");
}
