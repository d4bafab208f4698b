using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Web.Api.Console;

/// <summary>
/// The console credential: a bearer token from device verification. Only console endpoints and the console hub
/// accept it, and they accept nothing else (an admin's cookie does not open them).
/// </summary>
public static class ConsoleAuthentication
{
    public const string Scheme = "ConsoleToken";
    public const string Policy = "Console";
    public const string SessionIdClaim = "rp:console_session";
    public const string MakeClaim = "rp:make";
    public const string ModelClaim = "rp:model";
    public const string SerialClaim = "rp:serial";
    public const string FirmwareClaim = "rp:firmware";
    public const string ExpiresClaim = "rp:expires";
    public const string AgreementClaim = "rp:agreement";

    public static Guid SessionId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(SessionIdClaim)!);

    public static DeviceIdentity Device(this ClaimsPrincipal user) =>
        new(user.FindFirstValue(MakeClaim)!, user.FindFirstValue(ModelClaim)!, user.FindFirstValue(SerialClaim)!, user.FindFirstValue(FirmwareClaim));

    /// <summary>The console's identity (make, model and serial): what its requests, lockout and agreement are matched by.</summary>
    public static string DeviceKey(this ClaimsPrincipal user) =>
        DeviceInfo.KeyOf(user.FindFirstValue(MakeClaim)!, user.FindFirstValue(ModelClaim)!, user.FindFirstValue(SerialClaim)!);

    /// <summary>When the credential this principal came from runs out.</summary>
    public static DateTimeOffset CredentialExpiresAt(this ClaimsPrincipal user) =>
        DateTimeOffset.Parse(user.FindFirstValue(ExpiresClaim)!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);

    /// <summary>The agreement version the console accepted, or null when it accepted none.</summary>
    public static string? AcceptedAgreementVersion(this ClaimsPrincipal user) => user.FindFirstValue(AgreementClaim);
}

internal sealed class ConsoleTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    DeviceVerificationService verification)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken();
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var session = await verification.FindSessionAsync(token, Context.RequestAborted);
        if (session is null)
        {
            return AuthenticateResult.Fail("The console credential is unknown, has expired or was replaced by a newer one.");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, session.SerialNumber),
            new(ClaimTypes.Name, $"{session.Make} {session.Model} ({session.SerialNumber})"),
            new(ConsoleAuthentication.SessionIdClaim, session.Id.ToString()),
            new(ConsoleAuthentication.MakeClaim, session.Make),
            new(ConsoleAuthentication.ModelClaim, session.Model),
            new(ConsoleAuthentication.SerialClaim, session.SerialNumber),
            new(ConsoleAuthentication.ExpiresClaim, new DateTimeOffset(session.ExpiresAtUtc, TimeSpan.Zero).ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (session.FirmwareVersion is not null)
        {
            claims.Add(new Claim(ConsoleAuthentication.FirmwareClaim, session.FirmwareVersion));
        }

        if (session.AgreementAcceptedAtUtc is not null && session.AgreementVersion is not null)
        {
            claims.Add(new Claim(ConsoleAuthentication.AgreementClaim, session.AgreementVersion));
        }

        var identity = new ClaimsIdentity(claims, ConsoleAuthentication.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ConsoleAuthentication.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await ConsoleProblems.CredentialRequired(Context).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await ConsoleProblems.Problem(
                StatusCodes.Status403Forbidden,
                ConsoleErrorCodes.CredentialRequired,
                "This call needs a device credential.",
                "Console calls accept only the credential from device verification.")
            .ExecuteAsync(Context);
    }

    private string? ReadToken()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        // Browsers' WebSockets cannot send headers: SignalR puts the token in the query, for the hub only.
        if (Request.Path.StartsWithSegments(ConsoleHubNames.Path) && Request.Query.TryGetValue("access_token", out var query))
        {
            return query.ToString();
        }

        return null;
    }
}
