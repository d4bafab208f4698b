using System.Security.Cryptography;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Migrations.Sqlite;
using RoomsPortal.Web.Components;
using RoomsPortal.Web.Components.Layout;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Support;

/// <summary>
/// A bUnit context for portal pages: MudBlazor, the real Core services over a real SQLite file (migrated),
/// a fake clock and a signed-in user. Tests seed data through the same services the pages use.
/// </summary>
public abstract class PortalComponentContext : BunitContext, IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "roomsportal-tests", $"bunit-{Guid.NewGuid():N}.db");

    protected PortalComponentContext()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        this.AddTestServices();
        Services.AddLogging();
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddDbContextFactory<PortalDbContext>(o => o.UsePortalSqlite($"Data Source={_file}"));
        Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        Services.AddSingleton<IOtpKeyProvider>(new StaticOtpKeyProvider(RandomNumberGenerator.GetBytes(32)));
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddCoreServices();
        Services.AddScoped<PortalCaller>();
        Services.AddScoped<RoomsPortal.Web.Components.Shared.DecisionSubmitter>();
        Authorization = AddAuthorization();
        SignInAs(RoomsPortal.Web.Security.PortalRoles.RoomsProManager);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));

    protected BunitAuthorizationContext Authorization { get; }

    protected static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    /// <summary>Signs the test user in with one role; room groups become <c>rp:room_group</c> claims.</summary>
    protected void SignInAs(string role, params Guid[] roomGroups)
    {
        Authorization.SetAuthorized("Test Admin");
        Authorization.SetRoles(role);
        // Pages name the acting user in the audit log by its identifier claim, as a real sign-in provides it.
        Authorization.SetClaims([
            new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "test-admin"),
            .. roomGroups.Select(g => new System.Security.Claims.Claim(RoomsPortal.Web.Security.PortalClaims.RoomGroup, g.ToString())),
        ]);
    }

    /// <summary>A Core service, the same instance the page under test gets.</summary>
    protected T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Renders a page inside a MudPopoverProvider and dialog/snackbar providers, as MainLayout does.</summary>
    protected IRenderedComponent<TPage> RenderPage<TPage>(Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null)
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        Render<MudBlazor.MudPopoverProvider>();
        Render<MudBlazor.MudDialogProvider>();
        Render<MudBlazor.MudSnackbarProvider>();
        return parameters is null ? Render<TPage>() : Render<TPage>(parameters);
    }

    public async ValueTask InitializeAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        await db.Database.MigrateAsync(Ct);
        this.RenderInteractively();
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
        GC.SuppressFinalize(this);
    }
}
