using Microsoft.Extensions.Options;
using MudBlazor.Services;
using RoomsPortal.ConsoleEmulator.Components;

namespace RoomsPortal.ConsoleEmulator;

// A named class, not top-level statements: the generated public Program would clash with the portal's in tests.
internal static class EmulatorProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.Services.AddOptions<EmulatorOptions>().BindConfiguration(EmulatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DemoDevices>();
        builder.Services.AddHttpClient(EmulatorEntryPoint.PortalClient, (sp, http) =>
            http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<EmulatorOptions>>().Value.PortalAddress));
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();

        var app = builder.Build();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        await app.RunAsync();
    }
}
