using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Local mode: an open circuit re-checks its user's security stamp every minute, so disabling a user, resetting the
/// password or changing the role also ends the user's open pages, not just the next HTTP request.
/// </summary>
internal sealed class RevalidatingPortalAuthenticationState(ILoggerFactory loggerFactory, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        await using var scope = scopes.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<PortalUser>>();
        return await signIn.ValidateSecurityStampAsync(authenticationState.User) is not null;
    }
}
