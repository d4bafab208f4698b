namespace RoomsPortal.Core.Users;

/// <summary>
/// A room group a portal user's role applies to. Site Leads and Helpdesk users see and act on only the groups
/// assigned here; a Rooms Pro Manager is unrestricted and needs none.
/// </summary>
public sealed class UserRoomGroup
{
    public required string UserId { get; set; }

    public Guid RoomGroupId { get; set; }
}
