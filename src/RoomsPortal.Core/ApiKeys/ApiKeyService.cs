using System.Data.Common;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.ApiKeys;

/// <summary>What a new key may do.</summary>
/// <param name="Name">What people call it (shown in the audit log as "API key {name}").</param>
/// <param name="Role">The portal role it acts with, checked by the caller, which knows the roles.</param>
/// <param name="RoomGroupIds">The room groups a scoped role applies to.</param>
/// <param name="ExpiresInDays">Null for <see cref="ApiKeyService.DefaultLifetimeDays"/>; 1 to <see cref="ApiKeyService.MaxLifetimeDays"/>.</param>
/// <param name="AllowedNetworks">CIDR ranges (<c>10.20.0.0/16</c>) or single addresses; empty for any source.</param>
public sealed record NewApiKey(
    string Name,
    string Role,
    IReadOnlyCollection<Guid> RoomGroupIds,
    int? ExpiresInDays = null,
    IReadOnlyCollection<string>? AllowedNetworks = null);

/// <summary>A key as lists show it: never the key, only its prefix.</summary>
public sealed record ApiKeyView(
    Guid Id,
    string Name,
    string Prefix,
    string Role,
    IReadOnlyList<Guid> RoomGroupIds,
    IReadOnlyList<string> AllowedNetworks,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? LastUsedAt,
    string? LastUsedFrom,
    DateTimeOffset? RevokedAt)
{
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>A key that authenticated: who the call acts as.</summary>
public sealed record ApiKeyIdentity(Guid Id, string Name, string Role, IReadOnlyList<Guid> RoomGroupIds)
{
    /// <summary>The actor audit entries name for calls made with this key.</summary>
    public Actor Actor => Actor.User(ActorIdOf(Id), $"API key {Name}");

    private const string ActorIdPrefix = "apikey:";

    public static string ActorIdOf(Guid id) => ActorIdPrefix + id.ToString("D", CultureInfo.InvariantCulture);

    /// <summary>Whether the actor is an API key (<see cref="ActorIdOf"/>) rather than a person, a console or the portal.</summary>
    public static bool IsKey(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return actor.Kind == ActorKind.User && actor.Id.StartsWith(ActorIdPrefix, StringComparison.Ordinal);
    }
}

public enum ApiKeyError
{
    InvalidName,
    DuplicateName,
    InvalidLifetime,
    InvalidNetwork,
    RoomGroupNotFound,
    NotFound,

    /// <summary>Not a key of this portal (malformed, or no such prefix, or the secret does not match).</summary>
    Unknown,
    Revoked,
    Expired,

    /// <summary>The call came from outside the key's allowed networks.</summary>
    NetworkNotAllowed,
}

/// <summary>
/// API keys: created with a name, a role, room groups, an expiry and optional source networks; shown once and kept as
/// a hash; revoked at any time. Creating and revoking are audited; authenticating records the last use.
/// </summary>
public sealed partial class ApiKeyService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, ILogger<ApiKeyService>? logger = null)
{
    public const int DefaultLifetimeDays = 90;
    public const int MaxLifetimeDays = 365;
    public const int MaxNetworks = 20;
    public const string NameLabel = "The key name";

    /// <summary>The last use (time and address) is written at most this often per key, so a busy script does not write on every call.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    /// <summary>Creates a key; the returned string is the only time the key exists outside the caller's hands.</summary>
    public async Task<Result<(ApiKeyView View, string Key), ApiKeyError>> CreateAsync(NewApiKey request, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        var name = request.Name?.Trim() ?? string.Empty;
        if (TextRules.CheckName(name, NameLabel, ApiKey.NameMaxLength) is not null)
        {
            return ApiKeyError.InvalidName;
        }

        var days = request.ExpiresInDays ?? DefaultLifetimeDays;
        if (days is < 1 or > MaxLifetimeDays)
        {
            return ApiKeyError.InvalidLifetime;
        }

        var networks = new List<string>();
        foreach (var text in request.AllowedNetworks ?? [])
        {
            if (ParseNetwork(text) is not { } network)
            {
                return ApiKeyError.InvalidNetwork;
            }

            networks.Add(network.ToString());
        }

        if (networks.Count > MaxNetworks)
        {
            return ApiKeyError.InvalidNetwork;
        }

        var groups = request.RoomGroupIds?.Distinct().ToList() ?? [];
        var now = time.GetUtcNow();
        var (key, prefix) = ApiKeyFormat.NewKey();
        var row = new ApiKey
        {
            Id = Guid.NewGuid(),
            Name = name,
            Prefix = prefix,
            SecretHash = ApiKeyFormat.Hash(key),
            Role = request.Role,
            RoomGroupIds = string.Join(',', groups),
            AllowedNetworks = string.Join(',', networks),
            CreatedAt = now,
            CreatedById = actor.Id,
            CreatedByName = actor.DisplayName.Length > 256 ? actor.DisplayName[..256] : actor.DisplayName,
            ExpiresAt = now.AddDays(days),
        };
        var created = await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var known = await db.RoomGroups.Where(g => groups.Contains(g.Id)).Select(g => g.Name).ToListAsync(token);
            if (known.Count != groups.Count)
            {
                return Result<ApiKeyView, ApiKeyError>.Failure(ApiKeyError.RoomGroupNotFound);
            }

            var upper = name.ToUpperInvariant();
            if (await db.Set<ApiKey>().AnyAsync(k => k.RevokedAt == null && k.Name.ToUpper() == upper, token))
            {
                return ApiKeyError.DuplicateName;
            }

            db.Add(row);
            db.Add(AuditEntry.Create(now, actor, AuditCategory.ApiKeys, AuditOperations.ApiKeyCreated, name,
                details: $"Key {prefix}: role {row.Role}, room groups [{string.Join(", ", known.Order(StringComparer.Ordinal))}], "
                    + $"expires {row.ExpiresAt:yyyy-MM-dd} UTC, networks [{(networks.Count == 0 ? "any" : string.Join(", ", networks))}]"));
            await db.SaveChangesAsync(token);
            return View(row);
        }, ct);
        return created.Succeeded ? (created.Value!, key) : created.Error!.Value;
    }

    /// <summary>Every key, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<ApiKey>().AsNoTracking().ToListAsync(ct);
        return [.. rows.OrderByDescending(k => k.CreatedAt).Select(View)];
    }

    /// <summary>Revokes a key: its next call is refused.</summary>
    public async Task<Result<ApiKeyView, ApiKeyError>> RevokeAsync(Guid id, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var row = await db.Set<ApiKey>().FirstOrDefaultAsync(k => k.Id == id, token);
            if (row is null)
            {
                return Result<ApiKeyView, ApiKeyError>.Failure(ApiKeyError.NotFound);
            }

            if (row.RevokedAt is not null)
            {
                return View(row);
            }

            row.RevokedAt = now;
            db.Add(AuditEntry.Create(now, actor, AuditCategory.ApiKeys, AuditOperations.ApiKeyRevoked, row.Name,
                details: $"Key {row.Prefix}: active -> revoked"));
            await db.SaveChangesAsync(token);
            return View(row);
        }, ct);
    }

    /// <summary>
    /// Checks a presented key: well formed, known, the secret matches, not revoked, not expired, and the call comes
    /// from an allowed network. Records the last use (at most once per <see cref="LastUseResolution"/>).
    /// </summary>
    public async Task<Result<ApiKeyIdentity, ApiKeyError>> AuthenticateAsync(string? presented, IPAddress? source, CancellationToken ct = default)
    {
        if (ApiKeyFormat.PrefixOf(presented) is not { } prefix)
        {
            return ApiKeyError.Unknown;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Set<ApiKey>().AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix, ct);
        if (row is null || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(row.SecretHash, ApiKeyFormat.Hash(presented!)))
        {
            return ApiKeyError.Unknown;
        }

        var now = time.GetUtcNow();
        if (row.RevokedAt is not null)
        {
            return ApiKeyError.Revoked;
        }

        if (row.ExpiresAt <= now)
        {
            return ApiKeyError.Expired;
        }

        if (!IsAllowed(row.AllowedNetworks, source))
        {
            return ApiKeyError.NetworkNotAllowed;
        }

        if (row.LastUsedAt is null || now - row.LastUsedAt.Value >= LastUseResolution)
        {
            await RecordUseAsync(db, row.Id, now, source?.ToString(), ct);
        }

        return new ApiKeyIdentity(row.Id, row.Name, row.Role, GroupsOf(row));
    }

    /// <summary>
    /// Once a minute per key, whatever address calls (a script spread over two hosts would otherwise write on every
    /// call): the address shown is the first caller's of that minute. Bookkeeping only: if the write fails (a busy
    /// database, say), the call goes on and the failure is logged, rather than refusing a valid key with a 500.
    /// </summary>
    private async Task RecordUseAsync(PortalDbContext db, Guid id, DateTimeOffset now, string? from, CancellationToken ct)
    {
        try
        {
            await db.Set<ApiKey>().Where(k => k.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now).SetProperty(k => k.LastUsedFrom, from), ct);
        }
        catch (Exception ex) when (ex is DbException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException)
        {
            LogLastUseNotRecorded(logger ?? NullLogger<ApiKeyService>.Instance, ex, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the last use of API key {KeyId}; the call goes on")]
    private static partial void LogLastUseNotRecorded(ILogger logger, Exception ex, Guid keyId);

    /// <summary>A network as typed (<c>10.0.0.0/8</c>, <c>192.168.1.7</c>, IPv6 too), or null when it is not one.</summary>
    public static IPNetwork? ParseNetwork(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (IPNetwork.TryParse(text, out var network))
        {
            return network;
        }

        return IPAddress.TryParse(text, out var address)
            ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }

    private static bool IsAllowed(string networks, IPAddress? source)
    {
        if (string.IsNullOrEmpty(networks))
        {
            return true;
        }

        if (source is null)
        {
            return false;
        }

        var address = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        return networks.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(ParseNetwork)
            .Any(n => n is { } network && network.Contains(address));
    }

    private static List<Guid> GroupsOf(ApiKey row) =>
        [.. row.RoomGroupIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => Guid.Parse(s, CultureInfo.InvariantCulture))];

    private static ApiKeyView View(ApiKey row) => new(
        row.Id,
        row.Name,
        row.Prefix,
        row.Role,
        GroupsOf(row),
        [.. row.AllowedNetworks.Split(',', StringSplitOptions.RemoveEmptyEntries)],
        row.CreatedAt,
        row.CreatedByName,
        row.ExpiresAt,
        row.LastUsedAt,
        row.LastUsedFrom,
        row.RevokedAt);
}
