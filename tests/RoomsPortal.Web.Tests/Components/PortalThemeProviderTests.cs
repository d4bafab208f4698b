using System.Reflection;
using Bunit;
using Microsoft.AspNetCore.Components.RenderTree;
using RoomsPortal.Web.Components.Layout;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components;

public sealed class PortalThemeProviderTests : BunitContext
{
    public PortalThemeProviderTests()
    {
        this.AddTestServices();
    }

    [Fact]
    public void Every_circuit_shares_one_style_sheet_string_per_mode()
    {
        var first = Render<PortalThemeProvider>(p => p.Add(t => t.Theme, PortalTheme.Theme));
        var second = Render<PortalThemeProvider>(p => p.Add(t => t.Theme, PortalTheme.Theme));
        var dark = Render<PortalThemeProvider>(p => p.Add(t => t.Theme, PortalTheme.Theme).Add(t => t.IsDarkMode, true));

        var light = Sheet(first);
        Assert.Same(light, Sheet(second));
        Assert.Contains($"--mud-palette-primary: {PortalTheme.Theme.PaletteLight.Primary};", light, StringComparison.Ordinal);
        Assert.Contains("color-scheme: light;", light, StringComparison.Ordinal);

        var darkSheet = Sheet(dark);
        Assert.Contains("color-scheme: dark;", darkSheet, StringComparison.Ordinal);
        Assert.Contains($"--mud-palette-primary: {PortalTheme.Theme.PaletteDark.Primary};", darkSheet, StringComparison.Ordinal);

        // A render after the switch to dark mode gives the dark sheet, and it is the same string as the other's.
        first.Render(p => p.Add(t => t.IsDarkMode, true));
        Assert.Same(darkSheet, Sheet(first));
    }

    // The string the component's current render tree holds (what a circuit keeps while the page is open). The renderer
    // gives its frames to subclasses only; bUnit's is one, so the test asks through reflection.
#pragma warning disable BL0006 // The render tree types are the thing under test here.
    private string Sheet(IRenderedComponent<PortalThemeProvider> provider)
    {
        var read = typeof(Microsoft.AspNetCore.Components.RenderTree.Renderer).GetMethod("GetCurrentRenderTreeFrames", BindingFlags.Instance | BindingFlags.NonPublic)!;
        var frames = (ArrayRange<RenderTreeFrame>)read.Invoke(Renderer, [provider.ComponentId])!;
        return Assert.Single(frames.Array.Take(frames.Count), f => f.FrameType == RenderTreeFrameType.Markup && f.MarkupContent.Contains("mud-theme-provider", StringComparison.Ordinal)).MarkupContent;
    }
#pragma warning restore BL0006
}
