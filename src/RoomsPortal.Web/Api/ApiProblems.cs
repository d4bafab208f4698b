using System.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.Web.Api;

/// <summary>
/// RFC 9457 problem details with the stable <c>code</c> a client switches on: the one shape of every error answer
/// under <see cref="Root"/> (console protocol and portal APIs alike).
/// </summary>
internal static class ApiProblems
{
    public const string Root = "/api";

    public static bool IsApiRequest(HttpRequest request) => IsApiPath(request.Path);

    public static bool IsApiPath(PathString path) => path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase);

    public static IResult Problem(int status, string code, string title, string? detail = null, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                all[key] = value;
            }
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title, type: $"https://roomsportal.dev/problems/{code}", extensions: all);
    }

    /// <summary>The problem for an error status that came without a body of its own (no route, wrong method, a bare 401/403).</summary>
    public static IResult ForStatus(int status, PathString path = default) => status switch
    {
        // The automation API takes no cookie: its callers are told what it does take (in Entra ID mode the bearer
        // handler answers a bare 401/403 that lands here).
        StatusCodes.Status401Unauthorized when path.StartsWithSegments(V1.AutomationApi.Root, StringComparison.OrdinalIgnoreCase) =>
            Problem(status, ConsoleErrorCodes.Unauthorized, "Authentication required.",
                "Send an API key (Settings > API keys) or an Entra ID access token for this portal's app registration as 'Authorization: Bearer ...'."),
        StatusCodes.Status403Forbidden when path.StartsWithSegments(V1.AutomationApi.Root, StringComparison.OrdinalIgnoreCase) =>
            Problem(status, ConsoleErrorCodes.Forbidden, "Not allowed.", "The caller's role or room groups do not allow this call (for a token, its app roles)."),
        StatusCodes.Status401Unauthorized => Problem(status, ConsoleErrorCodes.Unauthorized, "Sign-in required.", "Send a signed-in user's cookie or bearer token."),
        StatusCodes.Status403Forbidden => Problem(status, ConsoleErrorCodes.Forbidden, "Not allowed.", "The signed-in user's role or room groups do not allow this call."),
        StatusCodes.Status404NotFound => Problem(status, ConsoleErrorCodes.NotFound, "There is no API at this address."),
        StatusCodes.Status405MethodNotAllowed => Problem(status, ConsoleErrorCodes.MethodNotAllowed, "This address does not take this method.", "The Allow header lists the methods it takes."),
        _ => Problem(status, CodeFor(status), ReasonPhrases.GetReasonPhrase(status)),
    };

    /// <summary>
    /// The code for a status: the documented ones, <c>internal_error</c> for any 5xx, else the reason phrase in
    /// snake case (415 <c>unsupported_media_type</c>), so every answer has one.
    /// </summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ConsoleErrorCodes.InvalidRequest,
        StatusCodes.Status401Unauthorized => ConsoleErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ConsoleErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ConsoleErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ConsoleErrorCodes.MethodNotAllowed,
        >= 500 => ConsoleErrorCodes.InternalError,
        _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase
            ? phrase.ToLowerInvariant().Replace(' ', '_').Replace("-", "", StringComparison.Ordinal)
            : $"http_{status}",
    };

    /// <summary>The id that ties an answer to the log lines of its request.</summary>
    public static string TraceId(HttpContext http) => Activity.Current?.Id ?? http.TraceIdentifier;
}
