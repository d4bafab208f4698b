namespace RoomsPortal.Core.Common;

/// <summary>
/// The room groups a caller may act on. Services filter their queries with it, so scope holds
/// even when a page forgets to hide a button or someone crafts a URL.
/// </summary>
public sealed class AccessScope
{
    private readonly HashSet<Guid>? _roomGroupIds;

    private AccessScope(HashSet<Guid>? roomGroupIds) => _roomGroupIds = roomGroupIds;

    /// <summary>Every room group (Rooms Pro Manager, the system).</summary>
    public static AccessScope All { get; } = new(null);

    /// <summary>Only the given room groups (Site Lead, Helpdesk with assignments).</summary>
    public static AccessScope ForRoomGroups(IEnumerable<Guid> roomGroupIds)
    {
        ArgumentNullException.ThrowIfNull(roomGroupIds);
        return new AccessScope([.. roomGroupIds]);
    }

    /// <summary>True when no room group filter applies.</summary>
    public bool IsUnrestricted => _roomGroupIds is null;

    /// <summary>The allowed room groups, or null when unrestricted.</summary>
    public IReadOnlySet<Guid>? RoomGroupIds => _roomGroupIds;

    /// <summary>Whether something in the given room group (null: in no group) is in scope.</summary>
    public bool Allows(Guid? roomGroupId) =>
        _roomGroupIds is null || (roomGroupId is { } id && _roomGroupIds.Contains(id));
}

/// <summary>The one query filter every scoped list uses.</summary>
public static class AccessScopeQueries
{
    /// <summary>Keeps the rows whose room group is in scope; rows in no room group only for an unrestricted scope.</summary>
    public static IQueryable<T> WhereInScope<T>(this IQueryable<T> source, AccessScope scope, System.Linq.Expressions.Expression<Func<T, Guid?>> roomGroupId)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(roomGroupId);
        if (scope.RoomGroupIds is not { } ids)
        {
            return source;
        }

        // Read through a captured object so EF Core sends the list as a parameter, as a closure would.
        var allowed = new AllowedGroups([.. ids]);
        var group = roomGroupId.Body;
        var inScope = System.Linq.Expressions.Expression.AndAlso(
            System.Linq.Expressions.Expression.NotEqual(group, System.Linq.Expressions.Expression.Constant(null, typeof(Guid?))),
            System.Linq.Expressions.Expression.Call(
                typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid)],
                System.Linq.Expressions.Expression.Property(System.Linq.Expressions.Expression.Constant(allowed), nameof(AllowedGroups.Ids)),
                System.Linq.Expressions.Expression.Property(group, nameof(Nullable<Guid>.Value))));
        return source.Where(System.Linq.Expressions.Expression.Lambda<Func<T, bool>>(inScope, roomGroupId.Parameters));
    }

    private sealed record AllowedGroups(List<Guid> Ids);
}
