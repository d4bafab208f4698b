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
