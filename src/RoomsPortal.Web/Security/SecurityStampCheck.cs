using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Local mode: every request that carries the sign-in cookie checks, on the server, that the cookie's security stamp is
/// still the user's and the user is not disabled. Sign-out, a password change or reset, a role change and disabling all
/// replace the stamp, so a copied cookie stops working on its next request, on every node.
/// </summary>
/// <remarks>
/// Cost: one primary-key read of two columns (a compiled, untracked query) per HTTP request that carries the cookie:
/// page loads, form posts, API calls, static files and the Blazor circuit's negotiate and connect. Messages on an open
/// circuit's WebSocket do not pass through it; the circuit re-checks every minute instead
/// (<see cref="RevalidatingPortalAuthenticationState"/>). Identity's own <see cref="SecurityStampValidator"/> still runs
/// after it, every minute, to rebuild the principal's claims (room groups, display name); on its own it would let a
/// copied cookie live until that minute is up, and making it run on every request (<c>ValidationInterval = 0</c>) would
/// rebuild the claims (roles, room groups: several queries) and re-issue the cookie on every request. No cache: a cache
/// per node would not see a sign-out on another node until it expired.
/// </remarks>
internal static class SecurityStampCheck
{
    private static readonly Func<PortalDbContext, string, CancellationToken, Task<UserStamp?>> ReadStamp =
        EF.CompileAsyncQuery((PortalDbContext db, string userId, CancellationToken ct) =>
            db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new UserStamp(u.SecurityStamp, u.IsDisabled)).FirstOrDefault());

    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var claims = http.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = context.Principal?.FindFirstValue(claims.UserIdClaimType);
        var stamp = context.Principal?.FindFirstValue(claims.SecurityStampClaimType);
        if (userId is null || stamp is null || !await IsCurrentAsync(http.RequestServices, userId, stamp, http.RequestAborted))
        {
            context.RejectPrincipal();
            await http.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }

    private static async Task<bool> IsCurrentAsync(IServiceProvider services, string userId, string stamp, CancellationToken ct)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        var current = await ReadStamp(db, userId, ct);
        return current is { IsDisabled: false } && string.Equals(current.SecurityStamp, stamp, StringComparison.Ordinal);
    }

    private sealed record UserStamp(string? SecurityStamp, bool IsDisabled);
}
