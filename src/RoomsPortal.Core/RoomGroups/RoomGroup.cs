namespace RoomsPortal.Core.RoomGroups;

/// <summary>A site or building: the scope that policy and role assignments hang from.</summary>
public sealed class RoomGroup
{
    public const int NameMaxLength = 100;

    public Guid Id { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
