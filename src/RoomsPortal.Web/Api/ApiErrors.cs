using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing.Template;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.Web.Api;

/// <summary>
/// Every error under <c>/api</c> is a problem document with a stable <c>code</c> and a <c>traceId</c>
/// (docs/console-protocol.md, "Errors"): unknown addresses, wrong methods, bare 401/403 and unhandled exceptions.
/// Pages keep the friendly error and not-found pages.
/// </summary>
internal static class ApiErrors
{
    public static IServiceCollection AddApiErrors(this IServiceCollection services)
    {
        // The default writer adds traceId to every problem; a problem written without a code gets its status' code.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd(
                "code", ApiProblems.CodeFor(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode)));
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }

    /// <summary>Place after routing and before authentication: an unknown address or a wrong method asks for no sign-in.</summary>
    public static IApplicationBuilder UseApiErrors(this IApplicationBuilder app)
    {
        var routes = new ApiRoutes(app.ApplicationServices.GetRequiredService<EndpointDataSource>());
        return app.Use(async (http, next) =>
        {
            if (!ApiProblems.IsApiRequest(http.Request))
            {
                await next(http);
                return;
            }

            // Machines read problem documents, never the HTML not-found page the status-code pages would render.
            http.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            if (!ApiRoutes.IsApiEndpoint(http.GetEndpoint()))
            {
                // No API answers here: there is nothing to protect, so with or without a credential the caller learns
                // only what the protocol document says (404 unknown address, 405 known address and another method).
                var allowed = routes.AllowedMethods(http.Request.Path);
                if (allowed.Count == 0 || allowed.Contains(http.Request.Method) || allowed.Contains(ApiRoutes.AnyMethod))
                {
                    await ApiProblems.ForStatus(StatusCodes.Status404NotFound).ExecuteAsync(http);
                    return;
                }

                http.Response.Headers.Allow = string.Join(", ", allowed);
                await ApiProblems.ForStatus(StatusCodes.Status405MethodNotAllowed).ExecuteAsync(http);
                return;
            }

            await next(http);
            if (!http.Response.HasStarted && http.Response.StatusCode >= 400 && http.Response.ContentType is null)
            {
                await ApiProblems.ForStatus(http.Response.StatusCode, http.Request.Path).ExecuteAsync(http);
            }
        });
    }
}

/// <summary>
/// The API's addresses and their methods, to tell 404 from 405 without routing's verdict: run from a build rather
/// than a publish, MapStaticAssets adds a GET/HEAD catch-all, and routing then answers 405 for unknown addresses and
/// 404 for a GET to a POST-only one.
/// </summary>
internal sealed class ApiRoutes(EndpointDataSource endpoints)
{
    private readonly Lazy<List<(TemplateMatcher Matcher, IReadOnlyList<string>? Methods)>> _routes = new(() =>
        endpoints.Endpoints
            .Where(IsApiEndpoint)
            .Cast<RouteEndpoint>()
            .Select(e => (
                new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary(e.RoutePattern.Defaults)),
                e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods))
            .ToList());

    public static bool IsApiEndpoint(Endpoint? endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: { } pattern }
        && pattern.StartsWith(ApiProblems.Root, StringComparison.OrdinalIgnoreCase);

    /// <summary>In <see cref="AllowedMethods"/>: a route at this path takes every method.</summary>
    public const string AnyMethod = "*";

    /// <summary>
    /// The methods the API takes at <paramref name="path"/>, route constraints aside (so a GET that fails a
    /// constraint of a GET route is still a 404); empty when no API route has this shape.
    /// </summary>
    public IReadOnlySet<string> AllowedMethods(PathString path)
    {
        var allowed = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (matcher, methods) in _routes.Value)
        {
            if (matcher.TryMatch(path, []))
            {
                allowed.UnionWith(methods is { Count: > 0 } ? methods : [AnyMethod]);
            }
        }

        return allowed;
    }
}

/// <summary>
/// An unhandled exception under <c>/api</c>: logged with its trace id, answered 500 <c>internal_error</c> without a
/// word of the exception. Other requests fall through to the error page.
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The middleware has already pointed the request at the error page; the feature keeps the address it failed at.
        var path = httpContext.Features.Get<IExceptionHandlerFeature>()?.Path ?? httpContext.Request.Path.Value ?? "";
        if (!ApiProblems.IsApiPath(new PathString(path)))
        {
            return false;
        }

        var traceId = ApiProblems.TraceId(httpContext);
        LogUnhandled(logger, exception, httpContext.Request.Method, path, traceId);
        await ApiProblems.Problem(
                StatusCodes.Status500InternalServerError,
                ConsoleErrorCodes.InternalError,
                "The portal could not finish this request.",
                "Try again later; if it keeps failing, give the portal's administrator the traceId.",
                new Dictionary<string, object?> { ["traceId"] = traceId })
            .ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Path} (trace {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string traceId);
}
