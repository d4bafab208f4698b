using MudBlazor;

namespace RoomsPortal.Web.Components.Layout;

internal static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4f52b2",
            AppbarBackground = "#4f52b2",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7f85f5",
        },
    };
}
