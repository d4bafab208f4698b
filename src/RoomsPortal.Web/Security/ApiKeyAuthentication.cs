using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.ApiKeys;

namespace RoomsPortal.Web.Security;

/// <summary>
/// The automation API's key scheme: <c>Authorization: Bearer rpk_...</c> (or <c>X-Api-Key: rpk_...</c>). A valid key
/// becomes a principal with exactly the key's role and room groups; its name is what the audit log shows.
/// Refusals answer 401 with a problem document that says which (unknown, revoked, expired, wrong network).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService keys,
    ApiKeyFailureThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>The claim naming the key's id.</summary>
    public const string KeyIdClaim = "rp:api_key";

    private const string RefusalItem = "rp:api_key_refusal";

    /// <summary>True when the request carries something that looks like a portal API key.</summary>
    public static bool Carries(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Presented(request) is not null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Presented(Request) is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var address = Api.Console.ConsoleRateLimits.SourceAddress(Context);
        if (throttle.BlockedFor(address) is { } wait)
        {
            Context.Items[RefusalItem] = wait;
            return AuthenticateResult.Fail("API key not checked: too many refused keys from this address");
        }

        var result = await keys.AuthenticateAsync(presented, Context.Connection.RemoteIpAddress, Context.RequestAborted);
        if (!result.Succeeded)
        {
            throttle.Refused(address);
            Context.Items[RefusalItem] = result.Error!.Value;
            return AuthenticateResult.Fail($"API key refused: {result.Error}");
        }

        var key = result.Value!;
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, ApiKeyIdentity.ActorIdOf(key.Id)),
            new(ClaimTypes.Name, key.Name),
            new(PortalClaims.DisplayName, $"API key {key.Name}"),
            new(KeyIdClaim, key.Id.ToString()),
        };
        if (PortalRoles.All.Contains(key.Role))
        {
            claims.Add(new Claim(ClaimTypes.Role, key.Role));
        }

        claims.AddRange(key.RoomGroupIds.Select(id => new Claim(PortalClaims.RoomGroup, id.ToString())));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.TryGetValue(RefusalItem, out var item) && item is TimeSpan wait)
        {
            var seconds = Api.Console.ConsoleProblems.SetRetryAfter(Context, wait);
            return Api.ApiProblems.Problem(StatusCodes.Status429TooManyRequests, "too_many_refused_keys", "Too many refused API keys.",
                    $"This address sent {throttle.FailuresPerMinute} keys the portal refused within a minute. "
                    + $"Check the key your script sends (Settings > API keys), then try again in {seconds} seconds.")
                .ExecuteAsync(Context);
        }

        var (code, detail) = Context.Items.TryGetValue(RefusalItem, out var refusal) && refusal is ApiKeyError error
            ? error switch
            {
                ApiKeyError.Revoked => ("api_key_revoked", "This API key was revoked. Ask a Rooms Pro Manager for a new one (Settings > API keys)."),
                ApiKeyError.Expired => ("api_key_expired", "This API key has expired. Ask a Rooms Pro Manager for a new one (Settings > API keys)."),
                ApiKeyError.NetworkNotAllowed => ("api_key_network", "This API key may not be used from this network. Call from one of the key's allowed networks, or ask for a key that allows it."),
                _ => ("api_key_invalid", "The API key is not one of this portal's keys. Send the whole key as 'Authorization: Bearer rpk_...'."),
            }
            : ("authentication_required", "Send an API key as 'Authorization: Bearer rpk_...' (Settings > API keys).");
        return Api.ApiProblems.Problem(StatusCodes.Status401Unauthorized, code, "Authentication failed.", detail).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Api.ApiProblems.Problem(StatusCodes.Status403Forbidden, "forbidden",
            "This key's role does not allow this call.", "Use a key whose role allows it (Settings > API keys).").ExecuteAsync(Context);

    private static string? Presented(HttpRequest request)
    {
        // The scheme name is case-insensitive (RFC 9110, section 11.1); the key itself is not.
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && authorization["Bearer ".Length..].TrimStart().StartsWith(ApiKeyFormat.Start, StringComparison.Ordinal))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var header = request.Headers[HeaderName].ToString();
        return header.StartsWith(ApiKeyFormat.Start, StringComparison.Ordinal) ? header.Trim() : null;
    }
}
