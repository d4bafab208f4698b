using Microsoft.AspNetCore.Diagnostics;

namespace RoomsPortal.Web.Components;

/// <summary>
/// A page answer with an error status and no body gets a page for its status: 404 the not-found page (in the
/// portal's layout), any other the error page with a message for that status. API answers are problem documents
/// (Api/ApiErrors.cs) and never get here.
/// </summary>
internal static class StatusPages
{
    /// <summary>Where an error status is re-executed; <c>/status/404</c> is the not-found page, the rest the error page.</summary>
    public const string PathFormat = "/status/{0}";

    /// <summary>Place right after the exception handler: its re-execution of <c>/Error</c> passes through here too.</summary>
    public static IApplicationBuilder UseStatusPages(this IApplicationBuilder app)
    {
        app.UseStatusCodePagesWithReExecute(PathFormat, createScopeForStatusCodePages: true);
        return app.Use(async (http, next) =>
        {
            var method = http.Request.Method;
            var reExecuted = http.Features.Get<IStatusCodeReExecuteFeature>() is not null || http.Features.Get<IExceptionHandlerFeature>() is not null;
            if (reExecuted)
            {
                // An error page is only read. Re-executed as the original POST, its form (and antiforgery token) would
                // be checked again, and a refused token would throw inside the error handler.
                http.Request.Method = HttpMethods.Get;
            }

            try
            {
                await next(http);
            }
            finally
            {
                http.Request.Method = method;
            }

            // Blazor answers a form posted without a valid antiforgery token 400 with a content type but no body, and
            // the status-code pages skip any answer with a content type: drop it while nothing has been written.
            if (!reExecuted && !http.Response.HasStarted && http.Response.StatusCode >= 400 && http.Response.ContentLength is null)
            {
                http.Response.ContentType = null;
            }
        });
    }
}
