using Microsoft.Playwright;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.EndToEnd.Tests.Pages;
using RoomsPortal.EndToEnd.Tests.Support;
using RoomsPortal.Testing;

namespace RoomsPortal.EndToEnd.Tests.Approvals;

/// <summary>
/// The link a notification carries (issue 15): the published portal in Production on an empty data folder, set up
/// through its pages; a console waits; a signed-out browser opens <c>/approvals/{id}</c>, signs in, lands on the
/// request, approves it, and the console hears it. On the way the wizard's installation sheets PDF is downloaded.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DeepLinkTests(BrowserFixture browser) : PublishedPortalTest(browser)
{
    private const string AdminPassword = "deep-link-admin-passphrase";
    private const string RoomUpn = "room-5.01@contoso.com";
    private const string Serial = "SN-DEEP-LINK-1";

    [Fact]
    public Task A_signed_out_admin_follows_a_request_link_through_sign_in_and_approves_the_console() => RunAsync(FollowLinkAsync);

    private async Task FollowLinkAsync(PublishedPortal portal)
    {
        using var contoso = new TestManufacturer("Contoso", "RoomConsole 10");
        var address = portal.ServerAddress;

        // Set-up through the pages: the first password, the catalog, one account and its code.
        var bootstrap = await portal.BootstrapPasswordAsync();
        var admin = await NewPageAsync();
        await new SignInPage(admin, address).SignInAsync("admin", bootstrap);
        var setUp = new SetUpPages(admin, address);
        await setUp.ChangePasswordAsync(bootstrap, AdminPassword);
        await setUp.CertifyAsync(contoso);
        await setUp.CreateRoomGroupsAsync("Building 5");
        var accounts = new ResourceAccountsPage(admin, address);
        await accounts.OpenAsync();
        await accounts.ImportAsync($"upn,display name,room group\n{RoomUpn},Room 5.01,Building 5\n");
        await Assertions.Expect(accounts.Row(RoomUpn)).ToBeVisibleAsync();
        var wizard = await accounts.GenerateOtpAsync(RoomUpn);
        await wizard.GenerateWithDefaultsAsync();
        var code = (await wizard.CodesByUpnAsync())[RoomUpn];
        var sheets = await admin.RunAndWaitForDownloadAsync(() => admin.GetByTestId("download-sheets").ClickAsync());
        var pdf = await File.ReadAllBytesAsync(await sheets.PathAsync(), Ct);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        Assert.EndsWith(".pdf", sheets.SuggestedFilename, StringComparison.Ordinal);

        // The console redeems and waits.
        using var http = new HttpClient { BaseAddress = address };
        var (console, redeemed) = await RedeemOnConsoleAsync(http, contoso.Console(Serial), code);
        var decision = console.WaitForDecisionAsync(redeemed.RequestId, cancellationToken: Ct);

        // The link from a notification, opened in a browser that is not signed in.
        var link = new Uri(address, $"/approvals/{redeemed.RequestId}");
        var reader = await NewPageAsync();
        await reader.GotoAsync(link.ToString());
        await Assertions.Expect(reader).ToHaveURLAsync(new Uri(address, $"/account/sign-in?returnUrl=%2Fapprovals%2F{redeemed.RequestId}").ToString());
        await new SignInPage(reader, address).SignInAsync("admin", AdminPassword);
        await Assertions.Expect(reader).ToHaveURLAsync(link.ToString());
        var request = new PortalPage(reader, address);
        await request.WaitUntilInteractiveAsync();
        await Assertions.Expect(reader.GetByTestId("device-serial")).ToHaveTextAsync(Serial);
        await Assertions.Expect(reader.GetByTestId("request-account")).ToHaveTextAsync("Room 5.01");
        await reader.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot("approval-request"), FullPage = true });

        await reader.GetByTestId("request-approve").ClickAsync();
        await reader.GetByTestId("decision-submit").ClickAsync();

        await Assertions.Expect(reader.GetByTestId("request-outcome")).ToContainTextAsync("Approved by Administrator");
        await Assertions.Expect(reader.GetByTestId("request-approve")).ToHaveCountAsync(0);
        var decided = await decision.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(SetupStatus.Approved, decided.Status);
        Assert.DoesNotContain(code, portal.Output, StringComparison.Ordinal);
    }
}
