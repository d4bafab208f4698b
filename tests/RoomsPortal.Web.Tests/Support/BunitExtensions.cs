using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace RoomsPortal.Web.Tests.Support;

internal static class BunitExtensions
{
    /// <summary>The services every MudBlazor component needs in a bUnit test.</summary>
    public static BunitContext AddTestServices(this BunitContext context)
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }

    /// <summary>
    /// Renders as a circuit does (interactive): live pages subscribe only then (Components/Shared/LivePage). Call once
    /// the services are registered: the renderer is made from them.
    /// </summary>
    public static void RenderInteractively(this BunitContext context) =>
        context.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
}
