using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace RoomsPortal.Web.Security;

/// <summary>Entra ID mode: copies the configured room-group claim into <see cref="PortalClaims.RoomGroup"/> claims.</summary>
public sealed class EntraClaimsTransformation(IOptions<PortalAuthenticationOptions> options) : IClaimsTransformation
{
    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true } identity || principal.HasClaim(c => c.Type == PortalClaims.RoomGroup))
        {
            return Task.FromResult(principal);
        }

        foreach (var claim in principal.FindAll(options.Value.RoomGroupClaim).ToList())
        {
            if (Guid.TryParse(claim.Value, out var id))
            {
                identity.AddClaim(new Claim(PortalClaims.RoomGroup, id.ToString()));
            }
        }

        return Task.FromResult(principal);
    }
}
