using MudBlazor;

namespace RoomsPortal.Web.Components.Layout;

/// <summary>An entry of the navigation drawer.</summary>
public sealed record PortalArea(string Title, string? Href, string Icon, IReadOnlyList<PortalArea> Children)
{
    public PortalArea(string title, string href, string icon)
        : this(title, href, icon, [])
    {
    }
}

/// <summary>The areas of the portal, in the order the drawer shows them.</summary>
public static class PortalAreas
{
    public static IReadOnlyList<PortalArea> TopLevel { get; } =
    [
        new("Dashboard", "/", Icons.Material.Filled.Dashboard),
        new("Planning", null, Icons.Material.Filled.EventNote,
        [
            new PortalArea("Resource Accounts", "/planning/resource-accounts", Icons.Material.Filled.MeetingRoom),
        ]),
        new("Approvals", "/approvals", Icons.Material.Filled.HowToReg),
        new("Devices", "/devices", Icons.Material.Filled.Devices),
        new("Verification failures", "/verification-failures", Icons.Material.Filled.GppMaybe),
        new("Audit log", "/audit", Icons.Material.Filled.History),
        new("Settings", "/settings", Icons.Material.Filled.Settings),
    ];

    /// <summary>Every area with a page, flattened.</summary>
    public static IEnumerable<PortalArea> Pages =>
        TopLevel.SelectMany(a => a.Children.Count == 0 ? [a] : a.Children);
}
