using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Verification;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.DayOne;

/// <summary>
/// The first day's features as a customer meets them: the portal in the Production environment on an empty database
/// (no demo data), changed only through the services its pages call and read back through its pages and API.
/// </summary>
public sealed class DayOneProductionTests : IAsyncLifetime
{
    private static readonly Actor Manager = Actor.User("manager-1", "Mia Manager");
    private readonly PortalFactory _portal = new PortalFactory().InProduction().WithSetting("DemoData:Enabled", "false");
    private HttpClient _manager = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _manager = _portal.CreateClientAs(PortalRoles.RoomsProManager);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _manager.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Room_groups_start_empty_are_created_and_filled_by_an_import_that_creates_the_missing_ones()
    {
        Assert.Contains("No room groups yet.", await PageAsync("/settings/room-groups"), StringComparison.Ordinal);
        var groups = Service<RoomGroupService>();

        Assert.True((await groups.CreateAsync("Building 1", Manager, Ct)).Succeeded);
        var import = await Service<ResourceAccountService>().ImportAsync(
            "upn,display name,room group,password\nroom-1.01@contoso.example,Room 1.01,Building 1,\nroom-4.01@contoso.example,Room 4.01,Building 4,\n",
            Manager, AccessScope.All, new ImportOptions(CreateMissingRoomGroups: true), Ct);

        Assert.Equal(["Building 4"], import.CreatedRoomGroups);
        var page = await PageAsync("/settings/room-groups");
        Assert.Contains("data-group=\"Building 1\"", page, StringComparison.Ordinal);
        Assert.Contains("data-group=\"Building 4\"", page, StringComparison.Ordinal);
        var accounts = await Service<ResourceAccountService>().ListAsync(new ResourceAccountQuery(), AccessScope.All, Ct);
        Assert.All(accounts.Items, a => Assert.Equal(Readiness.NoActionNeeded, a.Readiness));
        Assert.Equal(RoomGroupError.HasMembers, (await groups.DeleteAsync((await groups.ListAsync(AccessScope.All, Ct))[0].Id, Manager, Ct)).Error);
    }

    [Fact]
    public async Task The_catalog_starts_empty_and_a_console_verifies_once_its_manufacturer_key_and_model_are_added()
    {
        using var fabrikam = new TestManufacturer("Fabrikam", "Panel 2");
        using var http = _portal.CreateDefaultClient();
        Assert.Contains("The catalog is empty.", await PageAsync("/settings/device-catalog"), StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<ConsoleApiException>(() => new ConsoleSetupClient(http, fabrikam.Console("SN-F-1")).VerifyDeviceAsync(Ct));
        Assert.Equal(ConsoleErrorCodes.DeviceNotCertified, refused.Code);

        var catalog = Service<DeviceCatalogService>();
        var key = await catalog.AddManufacturerKeyAsync("Fabrikam", "2026-A", fabrikam.PublicKeyPem, Manager, Ct);
        Assert.True((await catalog.AddCertifiedModelAsync("Fabrikam", "Panel 2", Manager, Ct)).Succeeded);

        var verified = await new ConsoleSetupClient(http, fabrikam.Console("SN-F-1")).VerifyDeviceAsync(Ct);
        Assert.StartsWith("rpc_", verified.DeviceToken, StringComparison.Ordinal);
        var page = await PageAsync("/settings/device-catalog");
        Assert.Contains("data-make=\"Fabrikam\"", page, StringComparison.Ordinal);
        Assert.Contains(key.Value!.Fingerprint, page, StringComparison.Ordinal);
        Assert.Contains("data-model=\"Panel 2\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agreement_starts_built_in_and_a_published_version_is_current_and_its_acceptance_audited()
    {
        using var contoso = new TestManufacturer();
        using var http = _portal.CreateDefaultClient();
        await contoso.RegisterAsync(_portal.Services, Ct);
        Assert.Contains("The built-in agreement", await PageAsync("/settings/end-user-agreement"), StringComparison.Ordinal);

        var published = await Service<AgreementService>().PublishAsync("2026-11", "Terms of the first day.", DateTimeOffset.UtcNow, Manager, Ct);
        var console = new ConsoleSetupClient(http, contoso.Console("SN-A-1"));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync(published.Value!.Version, Ct);

        Assert.Contains("Current agreement: version 2026-11", await PageAsync("/settings/end-user-agreement"), StringComparison.Ordinal);
        var accepted = Assert.Single(await AuditAsync(), e => e.Operation == AuditOperations.AgreementAccepted);
        Assert.Equal(("console:Contoso/RoomConsole 10/SN-A-1", "SN-A-1"), (accepted.ActorId, accepted.Target));
    }

    [Fact]
    public async Task Every_admin_change_of_the_first_day_is_audited_under_who_made_it()
    {
        using var contoso = new TestManufacturer();
        var north = await Service<RoomGroupService>().CreateAsync("North", Manager, Ct);
        var lead = await Service<UserAdministration>().CreateAsync(new NewPortalUser("lea", "Lea Lead", PortalRoles.SiteLead, [north.Value!.Id]), Manager, ct: Ct);
        await Service<ResourceAccountService>().ImportAsync("upn,display name,room group\nroom@contoso.example,Room,North\n", Manager, AccessScope.All, Ct);
        await Service<DeviceCatalogService>().AddManufacturerKeyAsync("Contoso", "2026-A", contoso.PublicKeyPem, Manager, Ct);
        await Service<DeviceCatalogService>().AddCertifiedModelAsync("Contoso", "RoomConsole 10", Manager, Ct);
        await Service<AgreementService>().PublishAsync("2026-11", "Terms.", DateTimeOffset.UtcNow, Manager, Ct);

        Assert.Null(lead.Error);
        var mine = (await AuditAsync()).Where(e => e.ActorId == Manager.Id).Select(e => e.Operation).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                AuditOperations.RoomGroupCreated, AuditOperations.UserCreated, AuditOperations.AccountsImported,
                AuditOperations.ManufacturerKeyAdded, AuditOperations.CertifiedModelAdded, AuditOperations.AgreementPublished,
            },
            mine);
        // The bootstrap administrator of the first start is on record too, created by the portal itself.
        Assert.Contains(await AuditAsync(), e => e.Operation == AuditOperations.UserCreated && e.ActorId == Actor.System.Id && e.Target == PortalFactory.AdminUserName);
        using var audit = await _manager.GetAsync(new Uri("/audit", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
    }

    [Fact]
    public async Task Names_with_invisible_characters_are_refused_everywhere_with_one_rule()
    {
        var spoof = "exe.png \u202ERoom";

        Assert.Equal(RoomGroupError.InvalidName, (await Service<RoomGroupService>().CreateAsync(spoof, Manager, Ct)).Error);
        var import = await Service<ResourceAccountService>().ImportAsync(
            $"upn,display name,room group\nroom@contoso.example,{spoof},\n", Manager, AccessScope.All, Ct);
        Assert.Contains("(U+202E) at position 9", Assert.Single(import.Errors).Message, StringComparison.Ordinal);
        var (_, error, detail) = await Service<UserAdministration>().CreateAsync(new NewPortalUser("spoof", spoof, PortalRoles.Helpdesk, []), Manager, ct: Ct);
        Assert.Equal((UserChangeError.InvalidDisplayName, TextRules.CheckName(spoof, "The display name", 256)), (error, detail));
        Assert.Equal(CatalogError.InvalidModel, (await Service<DeviceCatalogService>().AddCertifiedModelAsync("Contoso", spoof, Manager, Ct)).Error);
        Assert.Empty(await Service<RoomGroupService>().ListAsync(AccessScope.All, Ct));
    }

    private T Service<T>()
        where T : notnull => _portal.Services.GetRequiredService<T>();

    private async Task<string> PageAsync(string path)
    {
        using var response = await _manager.GetAsync(new Uri(path, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync() =>
        (await Service<AuditService>().QueryAsync(new AuditQuery(PageSize: 200), Ct)).Items;
}
