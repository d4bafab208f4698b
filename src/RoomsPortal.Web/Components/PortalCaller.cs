using Microsoft.AspNetCore.Components.Authorization;
using RoomsPortal.Core.Common;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Components;

/// <summary>
/// Who is using a page, as Core services need it: the <see cref="Actor"/> for the audit log and the
/// <see cref="AccessScope"/> that filters every query. Pages take both from here, never from their own parameters.
/// </summary>
public sealed class PortalCaller(AuthenticationStateProvider authentication)
{
    public async Task<(Actor Actor, AccessScope Scope)> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return (ActorFactory.FromPrincipal(user), AccessScopeFactory.FromPrincipal(user));
    }
}
