using System.Globalization;
using Microsoft.Playwright;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Verification;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.DayOne;

/// <summary>
/// A customer's first day, as README's "First steps" tell it: the published portal in Production on an empty data
/// folder, set up only through its own pages in a browser, and a console (the SDK, with a manufacturer key made here)
/// that verifies, redeems its code and is approved by the Site Lead the administrator added. Each step leaves a
/// screenshot (<c>artifacts/screenshots/first-day-*.png</c>) and an entry in the audit log.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FirstDayTests(BrowserFixture browser) : PublishedPortalTest(browser)
{
    private const string AdminPassword = "first-day-admin-passphrase";
    private const string LeadUserName = "lena.lead";
    private const string LeadPassword = "lenas-own-passphrase-42";
    private const string Serial = "SN-FIRST-DAY-1";
    private const string RoomUpn = "room-1.01@contoso.com";

    private int _step;

    [Fact]
    public Task A_customers_first_day_in_production_from_an_empty_database() => RunAsync(FirstDayAsync);

    private async Task FirstDayAsync(PublishedPortal portal)
    {
        using var contoso = new TestManufacturer("Contoso", "RoomConsole 10");
        var address = portal.ServerAddress;

        // 1. The administrator signs in with the password the first start printed on the console, and must choose one.
        var bootstrapPassword = await portal.BootstrapPasswordAsync();
        var admin = await NewPageAsync();
        await new SignInPage(admin, address).SignInAsync("admin", bootstrapPassword);
        await Assertions.Expect(admin).ToHaveURLAsync(new Uri(address, "/account/change-password?returnUrl=%2F").ToString());
        await ShotAsync(admin, "change-password");
        await new SetUpPages(admin, address).ChangePasswordAsync(bootstrapPassword, AdminPassword);
        var shell = new PortalPage(admin, address);

        // 2. Room groups: none yet (no demo data in Production); create one per building.
        await shell.GotoAsync("/settings/room-groups");
        await Assertions.Expect(admin.GetByTestId("no-room-groups")).ToBeVisibleAsync();
        await new SetUpPages(admin, address).CreateRoomGroupsAsync("Building 1", "Building 2");

        await ShotAsync(admin, "room-groups");

        // 3. A Site Lead for Building 1, with a one-time password to hand over.
        await shell.GotoAsync("/settings/users");
        await admin.GetByTestId("new-user-name").FillAsync(LeadUserName);
        await admin.GetByTestId("new-display-name").FillAsync("Lena Lead");
        await ChooseAsync(admin, "Role", "Site Lead");
        await ChooseAsync(admin, "Room groups", "Building 1", multiple: true);
        await admin.GetByTestId("add-user").ClickAsync();
        var handedOver = admin.GetByTestId("one-time-password");
        await Assertions.Expect(handedOver).ToContainTextAsync(LeadUserName);
        var leadOneTimePassword = (await handedOver.Locator("code").InnerTextAsync()).Trim();
        await Assertions.Expect(admin.GetByTestId("users").Locator("tr").Filter(new() { HasText = LeadUserName })).ToContainTextAsync("Site Lead");
        await Assertions.Expect(admin.GetByTestId("users").Locator("tr").Filter(new() { HasText = LeadUserName })).ToContainTextAsync("Building 1");
        await ShotAsync(admin, "users");

        // 4. Resource accounts from a CSV file, into the groups just made.
        var accounts = new ResourceAccountsPage(admin, address);
        await accounts.OpenAsync();
        await Assertions.Expect(accounts.EmptyState).ToBeVisibleAsync();
        await accounts.ImportAsync(
            "upn,display name,room group\n" +
            $"{RoomUpn},Room 1.01,Building 1\n" +
            "room-1.02@contoso.com,Room 1.02,Building 1\n" +
            "room-2.01@contoso.com,Room 2.01,Building 2\n");
        await Assertions.Expect(accounts.Row(RoomUpn)).ToContainTextAsync("Building 1");
        await Assertions.Expect(accounts.Row("room-2.01@contoso.com")).ToContainTextAsync("Building 2");
        await ShotAsync(admin, "resource-accounts");

        // 5. The device catalog: the manufacturer's key (its fingerprint checked against the one it gave us) and the model.
        await shell.GotoAsync("/settings/device-catalog");
        await Assertions.Expect(admin.GetByTestId("empty-catalog")).ToBeVisibleAsync();
        await admin.GetByTestId("key-make").FillAsync(contoso.Make);
        await admin.GetByTestId("key-name").FillAsync("factory-2026");
        await admin.GetByTestId("key-text").FillAsync(contoso.PublicKeyPem);
        var fingerprint = ManufacturerPublicKey.FingerprintOf(PemBody(contoso.PublicKeyPem));
        await Assertions.Expect(admin.GetByTestId("key-fingerprint")).ToContainTextAsync(fingerprint);
        await admin.GetByTestId("add-key").ClickAsync();
        await Assertions.Expect(admin.GetByTestId("key-row")).ToContainTextAsync("factory-2026");
        await admin.GetByTestId("model-make").FillAsync(contoso.Make);
        await admin.GetByTestId("model-name").FillAsync(contoso.Model);
        await admin.GetByTestId("certify").ClickAsync();
        await Assertions.Expect(admin.GetByTestId("model-row")).ToContainTextAsync(contoso.Model);
        await ShotAsync(admin, "device-catalog");

        // 6. Codes for the Building 1 rooms, new passwords generated; the list with passwords goes to the technician.
        await accounts.OpenAsync();
        var wizard = await accounts.GenerateOtpAsync(RoomUpn, "room-1.02@contoso.com");
        await wizard.GenerateWithDefaultsAsync();
        var code = (await wizard.CodesByUpnAsync())[RoomUpn];
        await ShotAsync(admin, "generated-codes");
        var installerList = await wizard.DownloadCsvAsync(withPasswords: true);
        var roomPassword = PasswordOf(installerList, RoomUpn);

        // 7. In the meeting room: the console verifies against the catalog, accepts the agreement and redeems its code.
        using var http = new HttpClient { BaseAddress = address };
        var (console, redeemed) = await RedeemOnConsoleAsync(http, contoso.Console(Serial), code);
        var decision = console.WaitForDecisionAsync(redeemed.RequestId, cancellationToken: Ct);

        // 8. The Site Lead signs in for the first time, chooses a password and approves the console.
        var lead = await NewPageAsync();
        await new SignInPage(lead, address).SignInAsync(LeadUserName, leadOneTimePassword);
        await new SetUpPages(lead, address).ChangePasswordAsync(leadOneTimePassword, LeadPassword);
        var approvals = new ApprovalsPage(lead, address);
        await approvals.OpenAsync();
        await Assertions.Expect(approvals.Row(Serial)).ToContainTextAsync(RoomUpn);
        await ShotAsync(lead, "site-lead-approvals");
        await approvals.ApproveAsync(Serial);
        await Assertions.Expect(approvals.Empty).ToBeVisibleAsync();

        // 9. The console hears it at once, signs in with the password on the technician's list, and is in the inventory.
        var decided = await decision.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(SetupStatus.Approved, decided.Status);
        var signInData = await console.ClaimSignInDataAsync(decided.RequestId, Ct);
        Assert.Equal((RoomUpn, roomPassword), (signInData.Upn, signInData.Password));
        var devices = new DevicesPage(admin, address);
        await devices.OpenAsync();
        await Assertions.Expect(devices.Serials).ToHaveTextAsync([Serial]);
        await ShotAsync(admin, "devices");

        // 10. Every step of the day is in the audit log, under who did it.
        await shell.GotoAsync("/audit");
        await Assertions.Expect(admin.GetByTestId("audit-grid")).ToContainTextAsync("Devices.SignInDataReleased");
        await ShotAsync(admin, "audit-log");
        var download = await admin.RunAndWaitForDownloadAsync(() => admin.GetByTestId("audit-export").ClickAsync());
        var audit = await File.ReadAllTextAsync(await download.PathAsync(), Ct);
        string[] expected =
        [
            "Users.Created", "Security.PasswordChanged", "RoomGroups.Created", "ResourceAccounts.Imported", "Catalog.KeyAdded",
            "Catalog.ModelAdded", "Otps.Generated", "Devices.AgreementAccepted", "Otps.Redeemed", "Approvals.Approved",
            "Devices.SignInDataReleased",
        ];
        var missing = expected.Where(operation => !audit.Contains(operation, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"Missing from the audit log: {string.Join(", ", missing)}\n{audit}");
        // Who did what: the administrator set the portal up, the Site Lead approved, the console fetched its sign-in data.
        Assert.Equal("Administrator", ActorOf(audit, "Catalog.KeyAdded"));
        Assert.Equal("Administrator", ActorOf(audit, "Otps.Generated"));
        Assert.Equal("Lena Lead", ActorOf(audit, "Approvals.Approved"));
        Assert.StartsWith($"Console {Serial}", ActorOf(audit, "Devices.SignInDataReleased"), StringComparison.Ordinal);
        Assert.DoesNotContain(roomPassword, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(code, portal.Output, StringComparison.Ordinal);
    }

    private async Task ShotAsync(IPage page, string name)
    {
        _step++;
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Artifacts.Screenshot($"first-day-{_step.ToString("00", CultureInfo.InvariantCulture)}-{name}"),
            FullPage = true,
        });
    }

    /// <summary>
    /// Picks <paramref name="option"/> in the MudSelect labelled <paramref name="label"/>. A single select closes its
    /// list itself; a multiple one is closed with a second click on it, which the circuit handles after the option's.
    /// </summary>
    private static async Task ChooseAsync(IPage page, string label, string option, bool multiple = false)
    {
        var select = page.GetByRole(AriaRole.Combobox, new() { Name = label });
        await select.ClickAsync();
        var popover = page.Locator(".mud-popover-open");
        await popover.GetByText(option, new() { Exact = true }).ClickAsync();
        if (multiple)
        {
            await select.ClickAsync();
        }

        await Assertions.Expect(popover).ToHaveCountAsync(0);
    }

    /// <summary>The actor column of the first row with <paramref name="operation"/> in the exported audit CSV (read with the portal's own CSV reader).</summary>
    private static string ActorOf(string auditCsv, string operation)
    {
        var rows = Core.Csv.CsvReader.Parse(auditCsv, out var error);
        Assert.Null(error);
        var header = rows[0].Fields.ToList();
        var (actor, op) = (header.IndexOf("actor"), header.IndexOf("operation"));
        return rows.Skip(1).First(r => r.Fields[op] == operation).Fields[actor];
    }

    private static string PemBody(string pem) =>
        string.Concat(pem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)).Select(line => line.Trim()));

    /// <summary>The <c>password</c> column of <paramref name="upn"/>'s row in the downloaded list (generated passwords hold no comma or quote).</summary>
    private static string PasswordOf(string csv, string upn)
    {
        var lines = csv.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',').Select(h => h.Trim().Trim('"').ToUpperInvariant()).ToList();
        var upnColumn = header.IndexOf("UPN");
        var passwordColumn = header.IndexOf("PASSWORD");
        var row = lines.Skip(1).Select(l => l.Split(',')).Single(cells => string.Equals(cells[upnColumn].Trim('"'), upn, StringComparison.OrdinalIgnoreCase));
        return row[passwordColumn].Trim('"');
    }
}
