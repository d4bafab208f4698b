using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace RoomsPortal.Web.Components.Layout;

/// <summary>
/// MudThemeProvider whose style sheet is one shared string per distinct sheet for the whole process. MudThemeProvider
/// writes the theme's CSS variables (tens of kilobytes of text) on every render, and each circuit's render tree then
/// keeps its own copy for as long as the page is open. This one still builds the sheet as MudBlazor does (so the mode
/// and palette are exactly MudThemeProvider's), but hands the render tree the process's copy of the same text; the
/// one just built is garbage at once. The chart hover rule MudThemeProvider also writes is in app.css.
/// </summary>
public sealed class PortalThemeProvider : MudThemeProvider
{
    // Light and dark of the one theme, with and without the scrollbar rules; a bound in case a theme is ever built per user.
    private const int MaxSheets = 8;

    private static readonly ConcurrentDictionary<string, string> Sheets = new(StringComparer.Ordinal);

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var sheet = (DefaultScrollbar ? "" : BuildMudBlazorScrollbar()) + BuildTheme();
        if (Sheets.TryGetValue(sheet, out var shared))
        {
            sheet = shared;
        }
        else if (Sheets.Count < MaxSheets)
        {
            sheet = Sheets.GetOrAdd(sheet, sheet);
        }

        builder.AddMarkupContent(0, sheet);
    }
}
