using System.Security.Cryptography;
using Bunit;
using Microsoft.AspNetCore.Components;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Verification;
using RoomsPortal.Web.Components.Pages.Settings;
using RoomsPortal.Web.Tests.Components.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.Settings;

public sealed class DeviceCatalogPageTests : AccountPageContext
{
    // One manufacturer key for the class: tests only export and parse it.
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [Fact]
    public async Task A_pasted_pem_shows_its_fingerprint_and_adding_it_lists_the_manufacturer_with_its_key()
    {
        var cut = RenderPage<DeviceCatalog>();
        cut.WaitForElement("[data-testid=empty-catalog]");
        var expected = ManufacturerPublicKey.Parse(Key.ExportSubjectPublicKeyInfoPem()).Key!.Fingerprint;

        cut.Find("[data-testid=key-make]").Input("Contoso");
        cut.Find("[data-testid=key-name]").Input("2026-A");
        cut.Find("[data-testid=key-text]").Input(Key.ExportSubjectPublicKeyInfoPem());

        cut.WaitForAssertion(() => Assert.Contains(expected, cut.Find("[data-testid=key-fingerprint]").TextContent, StringComparison.Ordinal));
        cut.Find("[data-testid=add-key]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Contoso", cut.Find("[data-testid=manufacturer]").GetAttribute("data-make")));
        var row = cut.Find("[data-testid=key-row]");
        Assert.Equal("2026-A", row.GetAttribute("data-key"));
        Assert.Contains(expected, row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Active", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("No certified models yet", cut.Find("[data-testid=manufacturer]").TextContent, StringComparison.Ordinal);
        Assert.Single((await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.DeviceCatalog), Ct)).Items);
    }

    [Theory]
    [InlineData("private", "This is a private key. Never paste a private key anywhere")]
    [InlineData("rsa", "This public key is not an ECDSA P-256 key")]
    [InlineData("garbage", "This text is not a PEM block or base64")]
    public async Task A_bad_key_says_what_is_wrong_and_what_to_paste_and_nothing_is_added(string kind, string message)
    {
        using var rsa = RSA.Create(2048);
        var text = kind switch
        {
            "private" => Key.ExportPkcs8PrivateKeyPem(),
            "rsa" => rsa.ExportSubjectPublicKeyInfoPem(),
            _ => "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI",
        };
        var cut = RenderPage<DeviceCatalog>();
        cut.WaitForElement("[data-testid=empty-catalog]");

        cut.Find("[data-testid=key-make]").Input("Contoso");
        cut.Find("[data-testid=key-text]").Input(text);
        cut.Find("[data-testid=add-key]").Click();

        cut.WaitForAssertion(() => Assert.StartsWith(message, cut.Find("[data-testid=key-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=key-fingerprint]"));
        Assert.Empty(await Service<DeviceCatalogService>().ListAsync(Ct));
    }

    [Fact]
    public async Task Certifying_a_model_and_revoking_a_key_and_removing_a_model_ask_first_and_are_listed()
    {
        var catalog = Service<DeviceCatalogService>();
        await catalog.AddManufacturerKeyAsync("Contoso", "2026-A", Key.ExportSubjectPublicKeyInfoPem(), Admin, Ct);
        var cut = RenderPage<DeviceCatalog>();
        cut.WaitForElement("[data-testid=manufacturer]");

        cut.Find("[data-testid=model-make]").Input("contoso");
        cut.Find("[data-testid=model-name]").Input("RoomConsole 10");
        cut.Find("[data-testid=certify]").Click();
        cut.WaitForAssertion(() => Assert.Equal("RoomConsole 10", cut.Find("[data-testid=model-row]").GetAttribute("data-model")));

        cut.Find("[data-testid=revoke]").Click();
        cut.Find("[data-testid=revoke-confirm]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Revoked", cut.Find("[data-testid=key-row]").TextContent, StringComparison.Ordinal));
        Assert.Contains("No active key", cut.Find("[data-testid=no-active-key]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=remove-model]").Click();
        cut.Find("[data-testid=remove-confirm]").Click();
        cut.WaitForElement("[data-testid=no-models]");
        var operations = (await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.DeviceCatalog), Ct)).Items.Select(e => e.Operation).ToList();
        Assert.Equal(4, operations.Count);
        Assert.Contains(AuditOperations.ManufacturerKeyRevoked, operations);
        Assert.Contains(AuditOperations.CertifiedModelRemoved, operations);
    }

    [Fact]
    public void A_link_from_a_verification_failure_fills_in_the_make_and_model_it_lacked()
    {
        Service<NavigationManager>().NavigateTo("/settings/device-catalog?make=Fabrikam&model=Panel%202");

        var cut = RenderPage<DeviceCatalog>();

        cut.WaitForAssertion(() => Assert.Contains("A Fabrikam Panel 2 console failed device verification.", cut.Find("[data-testid=catalog-hint]").TextContent, StringComparison.Ordinal));
        Assert.Equal("Fabrikam", cut.Find("[data-testid=model-make]").GetAttribute("value"));
        Assert.Equal("Panel 2", cut.Find("[data-testid=model-name]").GetAttribute("value"));
        Assert.Equal("Fabrikam", cut.Find("[data-testid=key-make]").GetAttribute("value"));
    }
}
