using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Response headers that close off framing, sniffing, referrer leaks and foreign scripts. The CSP allows only this
/// origin's scripts, plus inline scripts that carry the request's nonce; MudBlazor needs inline styles; the Blazor
/// circuit's WebSocket is covered by <c>connect-src 'self'</c>.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "rp:csp-nonce";

    /// <summary>The nonce of the current response, for an inline <c>&lt;script nonce&gt;</c>.</summary>
    public static string Nonce(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Items[NonceKey] as string ?? "";
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Entra ID mode: signing out posts a form that redirects to the identity provider, which form-action governs.
        var configuration = app.ApplicationServices.GetRequiredService<IConfiguration>();
        var mode = app.ApplicationServices.GetRequiredService<IOptions<PortalAuthenticationOptions>>().Value.Mode;
        var extraFormActions =
            mode == AuthenticationMode.EntraId
            && Uri.TryCreate(configuration["AzureAd:Instance"], UriKind.Absolute, out var instance)
                ? " " + instance.GetLeftPart(UriPartial.Authority)
                : "";
        return app.Use(async (http, next) =>
        {
            // base64url: nothing in it needs HTML escaping in the nonce attribute.
            var nonce = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
            http.Items[NonceKey] = nonce;
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy =
                "default-src 'self'; " +
                $"script-src 'self' 'nonce-{nonce}'; " +
                "style-src 'self' 'unsafe-inline'; " +
                "img-src 'self' data:; " +
                "font-src 'self' data:; " +
                "connect-src 'self'; " +
                "object-src 'none'; " +
                "base-uri 'self'; " +
                $"form-action 'self'{extraFormActions}; " +
                "frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            await next(http);
        });
    }
}
