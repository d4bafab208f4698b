using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Web.Infrastructure.Telemetry;

namespace RoomsPortal.Web.Api.Console;

/// <summary>The console protocol's problems (<see cref="ApiProblems"/> shape) with the stable <c>code</c> a console switches on.</summary>
internal static class ConsoleProblems
{
    public static IResult Problem(int status, string code, string title, string? detail = null, IReadOnlyDictionary<string, object?>? extensions = null) =>
        ApiProblems.Problem(status, code, title, detail, extensions);

    /// <summary>401 with a Bearer challenge: the credential is missing, expired or replaced; verify again.</summary>
    public static IResult CredentialRequired(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Problem(
            StatusCodes.Status401Unauthorized,
            ConsoleErrorCodes.CredentialRequired,
            "A device credential is required.",
            "Run device verification again to get a new credential, then repeat the call.");
    }

    /// <summary>429 with <c>Retry-After</c>: the console waits that many seconds and tries again.</summary>
    public static IResult TooManyAttempts(HttpContext http, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.RequestServices.GetRequiredService<WebMetrics>().Throttled(http);
        var seconds = SetRetryAfter(http, retryAfter);
        return Problem(StatusCodes.Status429TooManyRequests, ConsoleErrorCodes.TooManyAttempts, "Too many attempts.", $"Wait {seconds} seconds, then try again.");
    }

    /// <summary>Sets <c>Retry-After</c> in whole seconds (at least 1; a minute when the wait is unknown) and returns them.</summary>
    public static int SetRetryAfter(HttpContext http, TimeSpan? retryAfter)
    {
        var seconds = retryAfter is { } wait ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return seconds;
    }

    public static IResult InvalidRequest(IReadOnlyDictionary<string, string> errors) =>
        Problem(
            StatusCodes.Status400BadRequest,
            ConsoleErrorCodes.InvalidRequest,
            "The request is not valid.",
            string.Join(" ", errors.Values),
            new Dictionary<string, object?> { ["errors"] = errors });

    public static IResult InvalidRequest(string field, string error) =>
        InvalidRequest(new Dictionary<string, string> { [field] = error });
}
