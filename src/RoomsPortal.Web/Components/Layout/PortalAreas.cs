using MudBlazor;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Components.Layout;

/// <summary>An entry of the navigation drawer; <paramref name="Policy"/> is the page's policy (a group shows when any child is allowed).</summary>
public sealed record PortalArea(string Title, string? Href, string Icon, string? Policy, IReadOnlyList<PortalArea> Children)
{
    public PortalArea(string title, string href, string icon, string policy)
        : this(title, href, icon, policy, [])
    {
    }
}

/// <summary>The areas of the portal, in the order the drawer shows them.</summary>
public static class PortalAreas
{
    public static IReadOnlyList<PortalArea> TopLevel { get; } =
    [
        new("Dashboard", "/", Icons.Material.Filled.Dashboard, PortalPolicies.ReadOperations),
        new("Planning", null, Icons.Material.Filled.EventNote, null,
        [
            new PortalArea("Resource Accounts", "/planning/resource-accounts", Icons.Material.Filled.MeetingRoom, PortalPolicies.Provision),
        ]),
        new("Approvals", "/approvals", Icons.Material.Filled.HowToReg, PortalPolicies.Provision),
        new("Devices", "/devices", Icons.Material.Filled.Devices, PortalPolicies.ReadOperations),
        new("Verification failures", "/verification-failures", Icons.Material.Filled.GppMaybe, PortalPolicies.ReadOperations),
        new("Audit log", "/audit", Icons.Material.Filled.History, PortalPolicies.ManagePortal),
        new("Settings", "/settings", Icons.Material.Filled.Settings, PortalPolicies.ManagePortal),
    ];

    /// <summary>Every area with a page, flattened.</summary>
    public static IEnumerable<PortalArea> Pages =>
        TopLevel.SelectMany(a => a.Children.Count == 0 ? [a] : a.Children);
}
