using MudBlazor;

namespace RoomsPortal.Web.Components.Layout;

/// <summary>
/// The portal's colours. MudBlazor's default status colours (green, orange, pink) and its 38 % disabled text fall
/// below WCAG AA contrast (4.5:1) on white and on the dark surface; these are darkened in light mode and lightened,
/// with dark text on filled buttons, in dark mode. The browser tests run axe-core over every page in both modes.
/// </summary>
internal static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4f52b2",
            AppbarBackground = "#4f52b2",
            Secondary = "#a3214f",
            Success = "#1b6e34",
            Warning = "#8a4b00",
            Error = "#b71c1c",
            Info = "#0b5c99",
            TextSecondary = "rgba(0,0,0,0.66)",
            TextDisabled = "rgba(0,0,0,0.6)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a9adff",
            PrimaryContrastText = "#16163a",
            Secondary = "#ff8fb5",
            SecondaryContrastText = "#3a0c1c",
            Success = "#7ddc94",
            SuccessContrastText = "#0c2a14",
            Warning = "#ffc46b",
            WarningContrastText = "#3a2400",
            Error = "#ff8a80",
            ErrorContrastText = "#3a0a06",
            Info = "#8cc8ff",
            InfoContrastText = "#0a2540",
            TextSecondary = "rgba(255,255,255,0.74)",
            TextDisabled = "rgba(255,255,255,0.6)",
            DrawerText = "rgba(255,255,255,0.87)",
            DrawerIcon = "rgba(255,255,255,0.87)",
        },
    };
}
