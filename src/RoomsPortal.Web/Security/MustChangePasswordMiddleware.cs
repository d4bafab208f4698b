using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Diagnostics;

namespace RoomsPortal.Web.Security;

/// <summary>
/// While a signed-in user must change the password, every page redirects to the change-password page and every
/// other call is refused; only the account pages (change password, sign out) and anonymous endpoints stay open.
/// </summary>
internal static class MustChangePasswordMiddleware
{
    public static IApplicationBuilder UseMustChangePassword(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (!http.User.HasClaim(c => c.Type == PortalClaims.MustChangePassword)
                || http.Request.Path.StartsWithSegments("/account", StringComparison.OrdinalIgnoreCase)
                || http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                await next(http);
                return;
            }

            if (http.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null && HttpMethods.IsGet(http.Request.Method))
            {
                var returnUrl = PortalAuthentication.SafeReturnUrl(http.Request.Path + http.Request.QueryString);
                http.Response.Redirect($"{PortalAuthentication.ChangePasswordPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
                return;
            }

            http.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            await Results.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Password change required.",
                    detail: $"Change your password at {PortalAuthentication.ChangePasswordPath}, then repeat the request.")
                .ExecuteAsync(http);
        });
}
