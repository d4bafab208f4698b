using System.Security.Claims;
using RoomsPortal.Core.ApiKeys;

namespace RoomsPortal.Web.Security;

/// <summary>The outcome of a key request: the key, or the field and message to show.</summary>
public readonly record struct ApiKeyRequestResult((ApiKeyView? View, string? Key) Value, string? Field, string? Message)
{
    public bool Succeeded => Field is null;
}

/// <summary>
/// Creating a key for the Settings page and the API alike: a key gets exactly the role and room groups asked for, and
/// never more than its creator has (only a Rooms Pro Manager creates keys; a scoped role needs room groups).
/// </summary>
public static class ApiKeyRequests
{
    /// <summary>
    /// True for a caller that is not a person: an API key, or an access token an app got for itself (client
    /// credentials). Entra ID marks those with <c>idtyp=app</c> when that optional claim is on, and always gives
    /// them <c>oid</c> equal to <c>sub</c> (a person's <c>sub</c> is pairwise, never their <c>oid</c>).
    /// </summary>
    public static bool IsMachine(ClaimsPrincipal caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.HasClaim(c => c.Type == ApiKeyAuthenticationHandler.KeyIdClaim) || caller.HasClaim("idtyp", "app"))
        {
            return true;
        }

        var oid = caller.FindFirstValue("oid");
        return oid is not null && !caller.HasClaim(c => c.Type == "scp") && oid == caller.FindFirstValue("sub");
    }

    public static async Task<ApiKeyRequestResult> CreateAsync(
        ApiKeyService service,
        string? name,
        string? role,
        IReadOnlyCollection<Guid>? roomGroupIds,
        int? expiresInDays,
        IReadOnlyCollection<string>? allowedNetworks,
        ClaimsPrincipal creator,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(creator);
        if (!creator.IsInRole(PortalRoles.RoomsProManager))
        {
            return new(default, "role", "Only a Rooms Pro Manager creates API keys.");
        }

        // A key never makes keys: a leaked key limited in time and network must not mint a longer-lived, unlimited one.
        // Nor does an app's own Entra ID token: a leaked client secret must not become a portal key that outlives it.
        if (IsMachine(creator))
        {
            return new(default, "role", "API keys are created by a person (Settings > API keys, or a Rooms Pro Manager's Entra ID token), not by another key or an app's own token.");
        }

        if (role is null || !PortalRoles.All.Contains(role))
        {
            return new(default, "role", $"role is one of {string.Join(", ", PortalRoles.All)}.");
        }

        var groups = roomGroupIds ?? [];
        if (PortalRoles.IsScopedToRoomGroups(role) && groups.Count == 0)
        {
            return new(default, "roomGroupIds", "A Site Lead or Helpdesk key needs at least one room group.");
        }

        if (!PortalRoles.IsScopedToRoomGroups(role) && groups.Count > 0)
        {
            return new(default, "roomGroupIds", "A Rooms Pro Manager key covers every room group: leave roomGroupIds out.");
        }

        var created = await service.CreateAsync(
            new NewApiKey(name ?? string.Empty, role, groups, expiresInDays, allowedNetworks),
            ActorFactory.FromPrincipal(creator),
            ct);
        if (created.Succeeded)
        {
            return new((created.Value.View, created.Value.Key), null, null);
        }

        return created.Error switch
        {
            ApiKeyError.InvalidName => new(default, "name", Core.Common.TextRules.CheckName(name?.Trim(), ApiKeyService.NameLabel, ApiKey.NameMaxLength) ?? "Give the key a name."),
            ApiKeyError.DuplicateName => new(default, "name", "An active key has this name: pick another, or revoke the old one."),
            ApiKeyError.InvalidLifetime => new(default, "expiresInDays", $"expiresInDays is 1 to {ApiKeyService.MaxLifetimeDays} (default {ApiKeyService.DefaultLifetimeDays})."),
            ApiKeyError.InvalidNetwork => new(default, "allowedNetworks", $"Each allowed network is an address or a CIDR range such as 10.20.0.0/16 (at most {ApiKeyService.MaxNetworks})."),
            _ => new(default, "roomGroupIds", "A room group does not exist: list them with GET /api/v1/room-groups."),
        };
    }
}
