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
}
