using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Web.Api.Console;

/// <summary>The console setup protocol, version 1 (docs/console-protocol.md).</summary>
public static class ConsoleApi
{
    public const string Root = "/api/console/v1";

    public static IEndpointRouteBuilder MapConsoleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Root).WithTags("Console").DisableAntiforgery();

        api.MapPost("/verification", VerifyAsync)
            .AllowAnonymous()
            .AddEndpointFilterFactory(ConsoleThrottle.Verification);

        api.MapGet("/agreement", GetAgreementAsync).AllowAnonymous();

        var device = api.MapGroup("").RequireAuthorization(ConsoleAuthentication.Policy);
        device.MapPost("/agreement", AcceptAgreementAsync);
        device.MapConsoleSetup();
        return app;
    }

    private static async Task<IResult> VerifyAsync(
        HttpContext http, DeviceVerificationService verification, AgreementService agreements, CancellationToken ct)
    {
        var (body, problem) = await ConsoleRequestReader.ReadAsync<VerifyDeviceRequest>(http.Request, ct);
        if (problem is not null)
        {
            return problem;
        }

        var device = new DeviceIdentity(body!.Make, body.Model, body.SerialNumber, body.FirmwareVersion);
        var errors = new Dictionary<string, string>(device.Validate(), StringComparer.Ordinal);
        if (body.VerificationInfo is { Length: > DeviceLimits.VerificationInfoMaxLength })
        {
            errors["verificationInfo"] = $"verificationInfo is longer than {DeviceLimits.VerificationInfoMaxLength} characters.";
        }

        if (errors.Count > 0)
        {
            return ConsoleProblems.InvalidRequest(errors);
        }

        var result = await verification.VerifyAsync(device, body.VerificationInfo, http.Connection.RemoteIpAddress?.ToString(), ct);
        if (result.Succeeded)
        {
            var session = await verification.FindSessionAsync(result.Token!, ct);
            return TypedResults.Ok(new VerifyDeviceResponse(
                result.Token!,
                new DateTimeOffset(result.ExpiresAtUtc!.Value, TimeSpan.Zero),
                session?.AgreementAcceptedAtUtc is not null && await agreements.IsCurrentAsync(session.AgreementVersion, ct)));
        }

        var (code, title) = result.FailureReason switch
        {
            VerificationFailureReason.VerificationInfoNotFound => (ConsoleErrorCodes.VerificationInfoNotFound, "The device verification information couldn't be found."),
            VerificationFailureReason.DeviceNotCertified => (ConsoleErrorCodes.DeviceNotCertified, "This device is not a certified Teams Rooms device."),
            _ => (ConsoleErrorCodes.VerificationInfoInvalid, "The device verification information is not valid for this device."),
        };
        return ConsoleProblems.Problem(
            StatusCodes.Status422UnprocessableEntity,
            code,
            title,
            string.Join(" ", result.Troubleshooting.Skip(1)),
            new Dictionary<string, object?> { ["troubleshooting"] = result.Troubleshooting, ["failureId"] = result.FailureId });
    }

    private static async Task<IResult> GetAgreementAsync(AgreementService agreements, CancellationToken ct)
    {
        var current = await agreements.GetCurrentAsync(ct);
        return TypedResults.Ok(new AgreementResponse(current.Version, current.Text));
    }

    private static async Task<IResult> AcceptAgreementAsync(HttpContext http, AgreementService agreements, CancellationToken ct)
    {
        var (body, problem) = await ConsoleRequestReader.ReadAsync<AcceptAgreementRequest>(http.Request, ct);
        if (problem is not null)
        {
            return problem;
        }

        var accepted = await agreements.AcceptAsync(http.User.SessionId(), body!.Version, ct);
        if (accepted.Succeeded)
        {
            return TypedResults.NoContent();
        }

        var current = await agreements.GetCurrentAsync(ct);
        return accepted.Error switch
        {
            AcceptAgreementError.VersionMismatch => ConsoleProblems.Problem(
                StatusCodes.Status409Conflict,
                ConsoleErrorCodes.AgreementVersionMismatch,
                "That is not the current end user agreement.",
                $"The current agreement is version {current.Version}. Show its text (GET {Root}/agreement), then accept that version.",
                new Dictionary<string, object?> { ["currentVersion"] = current.Version }),
            AcceptAgreementError.CredentialNotFound => ConsoleProblems.CredentialRequired(http),
            _ => ConsoleProblems.InvalidRequest(
                "version",
                $"version is required, at most {EndUserAgreement.VersionMaxLength} characters, without control or format characters."),
        };
    }
}
