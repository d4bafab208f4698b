using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace RoomsPortal.Web.Components.Shared;

/// <summary>
/// MudBlazor's markup for parts that are on every page of every circuit and need no component of their own (icons),
/// written as plain elements in MudBlazor's classes. Each component a circuit keeps costs a few kilobytes of render
/// buffers for as long as the page is open (docs/benchmarks.md, "Approvals pages").
/// </summary>
public static class MudMarkup
{
    /// <summary>MudIcon's markup for a Material icon (the SVG content is one of MudBlazor's constants, never user input).</summary>
    public static RenderFragment Icon(string svg, string classes = "", string size = "medium") => builder => AddIcon(builder, svg, classes, size);

    private static void AddIcon(RenderTreeBuilder builder, string svg, string classes, string size)
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", $"mud-icon-root mud-svg-icon mud-icon-size-{size} {classes}".TrimEnd());
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddAttribute(5, "role", "img");
        builder.AddMarkupContent(6, svg);
        builder.CloseElement();
    }
}
