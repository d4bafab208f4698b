using System.Text.RegularExpressions;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Extensions;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Web.Components.Pages.ResourceAccounts;

namespace RoomsPortal.Web.Tests.Components.ResourceAccounts;

public sealed partial class GenerateOtpWizardTests : AccountPageContext
{
    [Fact]
    public async Task Rows_selected_in_the_grid_arrive_selected_and_accounts_that_need_action_are_disabled_with_why()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        var closet = await Provisioning.CreateAccountAsync("closet@contoso.com", ct: Ct);
        await Service<ResourceAccountService>().SetEnabledAsync(closet, false, Admin, AccessScope.All, Ct);
        Service<OtpWizardSelection>().Set([lobby, closet]);

        var cut = RenderPage<GenerateOtpWizard>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=account-table] tbody tr").Count));
        Assert.Equal("1 selected", cut.Find("[data-testid=selected-count]").TextContent.Trim());
        Assert.Contains("1 of the accounts you selected need action", cut.Find("[data-testid=dropped-selection]").TextContent, StringComparison.Ordinal);
        Assert.True(Box(cut, "lobby@contoso.com").Instance.GetState(x => x.Value));
        Assert.True(Box(cut, "closet@contoso.com").Instance.Disabled);
        Assert.Equal("Needs action: disabled", cut.Find("[data-testid=not-selectable]").TextContent.Trim());
    }

    [Fact]
    public async Task Review_edit_links_go_back_keep_the_choices_and_return_to_review()
    {
        await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=account-table] tbody tr").Count));
        Assert.True(cut.Find("[data-testid=next]").HasAttribute("disabled"));

        await CheckAsync(Box(cut, "lobby@contoso.com"), true);
        await CheckAsync(Box(cut, "boardroom@contoso.com"), true);
        cut.Find("[data-testid=next]").Click();
        cut.WaitForElement("[data-testid=step-configuration]");
        cut.Find("[data-testid=next]").Click();

        cut.WaitForElement("[data-testid=step-review]");
        Assert.Equal("2", cut.Find("[data-testid=review-count]").TextContent);
        Assert.Contains("Room boardroom@contoso.com, Room lobby@contoso.com", cut.Find("[data-testid=review-accounts]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Generate new passwords", cut.Find("[data-testid=review-configuration]").TextContent, StringComparison.Ordinal);
        Assert.Contains("8 hours", cut.Find("[data-testid=review-validity]").TextContent, StringComparison.Ordinal);
        Assert.Contains("2026-11-02 17:00 UTC", cut.Find("[data-testid=review-expiry]").TextContent, StringComparison.Ordinal);

        // Edit the selection: it is still there; drop one and come straight back.
        cut.Find("[data-testid=edit-accounts]").Click();
        cut.WaitForElement("[data-testid=step-accounts]");
        cut.WaitForAssertion(() => Assert.True(Box(cut, "lobby@contoso.com").Instance.GetState(x => x.Value)));
        await CheckAsync(Box(cut, "boardroom@contoso.com"), false);
        cut.Find("[data-testid=return-to-review]").Click();
        cut.WaitForElement("[data-testid=step-review]");
        Assert.Equal("1", cut.Find("[data-testid=review-count]").TextContent);

        // Edit the configuration: the choice is kept, a sign-in file replaces it.
        cut.Find("[data-testid=edit-configuration]").Click();
        cut.WaitForElement("[data-testid=step-configuration]");
        Assert.Equal(OtpPasswordMode.GeneratePasswords, cut.FindComponent<MudRadioGroup<OtpPasswordMode>>().Instance.Value);
        await ChooseAsync(cut.FindComponent<MudRadioGroup<OtpPasswordMode>>(), OtpPasswordMode.UploadedSignInData);
        Assert.True(cut.Find("[data-testid=next]").HasAttribute("disabled"));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("upn,password\nlobby@contoso.com,Kept-Pass-1\n", "signin.csv"));
        cut.WaitForElement("[data-testid=sign-in-data-ok]");
        cut.Find("[data-testid=next]").Click();

        cut.WaitForElement("[data-testid=step-review]");
        Assert.Equal("1", cut.Find("[data-testid=review-count]").TextContent);
        Assert.Contains("Sign-in data from signin.csv", cut.Find("[data-testid=review-configuration]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_an_account_after_uploading_sign_in_data_sends_return_to_review_back_to_configuration()
    {
        await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=account-table] tbody tr").Count));
        await CheckAsync(Box(cut, "lobby@contoso.com"), true);
        cut.Find("[data-testid=next]").Click();
        await ChooseAsync(cut.FindComponent<MudRadioGroup<OtpPasswordMode>>(), OtpPasswordMode.UploadedSignInData);
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("lobby@contoso.com,Kept-Pass-1\n", "signin.csv"));
        cut.WaitForElement("[data-testid=sign-in-data-ok]");
        cut.Find("[data-testid=next]").Click();
        cut.WaitForElement("[data-testid=step-review]");

        cut.Find("[data-testid=edit-accounts]").Click();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=account-table] tbody tr").Count));
        await CheckAsync(Box(cut, "boardroom@contoso.com"), true);
        cut.Find("[data-testid=return-to-review]").Click();

        cut.WaitForElement("[data-testid=step-configuration]");
        Assert.Contains("missing for 1 selected account(s): boardroom@contoso.com", cut.Find("[data-testid=sign-in-data-errors]").TextContent, StringComparison.Ordinal);
        Assert.True(cut.Find("[data-testid=next]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Sign_in_data_errors_are_listed_by_line_and_block_the_next_step()
    {
        await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=account-table] tbody tr").Count));
        await CheckAsync(Box(cut, "lobby@contoso.com"), true);
        await CheckAsync(Box(cut, "boardroom@contoso.com"), true);
        cut.Find("[data-testid=next]").Click();
        await ChooseAsync(cut.FindComponent<MudRadioGroup<OtpPasswordMode>>(), OtpPasswordMode.UploadedSignInData);

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(
            "upn,password\nlobby@contoso.com,\nstranger@contoso.com,Pw-1\n", "signin.csv"));

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=sign-in-data-error]").Count));
        var errors = cut.FindAll("[data-testid=sign-in-data-error]").Select(e => e.TextContent).ToList();
        Assert.StartsWith("Line 2: the password is empty", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Line 3: The UPN is not one of the selected accounts", errors[1], StringComparison.Ordinal);
        Assert.Contains("missing for 2 selected account(s)", errors[2], StringComparison.Ordinal);
        Assert.True(cut.Find("[data-testid=next]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Generate_shows_each_code_once_with_copy_and_both_downloads()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.SetPreferencesAsync(autoApproval: false, validityHours: 24, ct: Ct);
        Service<OtpWizardSelection>().Set([lobby]);
        JSInterop.SetupVoid("roomsPortal.downloadText", _ => true).SetVoidResult();
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal("1 selected", cut.Find("[data-testid=selected-count]").TextContent.Trim()));
        cut.Find("[data-testid=next]").Click();
        cut.Find("[data-testid=next]").Click();
        cut.WaitForElement("[data-testid=step-review]");
        Assert.Contains("24 hours (1 day)", cut.Find("[data-testid=review-validity]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=generate]").Click();

        cut.WaitForElement("[data-testid=step-result]");
        var code = cut.Find("[data-testid=otp-code]").TextContent;
        Assert.Matches(CodeFormat(), code);
        Assert.Contains("shown only once", cut.Find("[data-testid=shown-once]").TextContent, StringComparison.Ordinal);
        Assert.Contains("2026-11-03 09:00 UTC", cut.Find("[data-testid=result-summary]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[data-testid=copy-code]"));
        var history = await Service<OtpService>().ListForAccountAsync(lobby, AccessScope.All, Ct);
        Assert.Equal(OtpState.Active, Assert.Single(history).State);

        cut.Find("[data-testid=download-csv]").Click();
        cut.Find("[data-testid=download-csv-passwords]").Click();

        var downloads = JSInterop.Invocations["roomsPortal.downloadText"];
        Assert.Equal(2, downloads.Count);
        var plain = (string)downloads[0].Arguments[1]!;
        var withPasswords = (string)downloads[1].Arguments[1]!;
        Assert.StartsWith("upn,display name,one-time password,expires (UTC)\r\n", plain, StringComparison.Ordinal);
        Assert.Contains(code, plain, StringComparison.Ordinal);
        Assert.DoesNotContain(",password", plain, StringComparison.Ordinal);
        Assert.StartsWith("upn,display name,one-time password,expires (UTC),password", withPasswords, StringComparison.Ordinal);
        Assert.DoesNotContain(code, Service<Microsoft.AspNetCore.Components.NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_that_the_browser_refuses_says_what_to_do_instead()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        Service<OtpWizardSelection>().Set([lobby]);
        JSInterop.SetupVoid("roomsPortal.copyText", _ => true).SetException(new JSException("NotAllowedError"));
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal("1 selected", cut.Find("[data-testid=selected-count]").TextContent.Trim()));
        cut.Find("[data-testid=next]").Click();
        cut.Find("[data-testid=next]").Click();
        cut.Find("[data-testid=generate]").Click();
        cut.WaitForElement("[data-testid=step-result]");

        cut.Find("[data-testid=copy-code]").Click();

        cut.WaitForAssertion(() => Assert.Contains(Snackbars, m => m.StartsWith("The browser did not allow copying", StringComparison.Ordinal)));
        Assert.NotNull(cut.Find("[data-testid=otp-code]"));
    }

    [Fact]
    public async Task Leaving_the_result_before_downloading_asks_first()
    {
        var lobby = await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        Service<OtpWizardSelection>().Set([lobby]);
        var (cut, dialogs) = RenderWithDialogs<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal("1 selected", cut.Find("[data-testid=selected-count]").TextContent.Trim()));
        cut.Find("[data-testid=next]").Click();
        cut.Find("[data-testid=next]").Click();
        cut.Find("[data-testid=generate]").Click();
        cut.WaitForElement("[data-testid=step-result]");
        var navigation = Service<Microsoft.AspNetCore.Components.NavigationManager>();
        var here = navigation.Uri;

        await cut.InvokeAsync(() => navigation.NavigateTo("/planning/resource-accounts"));

        dialogs.WaitForAssertion(() => Assert.Contains("Leave without downloading?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Stay").Click();
        cut.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".mud-dialog")));
        Assert.Equal(here, navigation.Uri);
        Assert.NotNull(cut.Find("[data-testid=otp-code]"));
    }

    [Fact]
    public async Task Select_ready_on_this_page_skips_accounts_that_need_action()
    {
        await Provisioning.CreateAccountAsync("lobby@contoso.com", ct: Ct);
        await Provisioning.CreateAccountAsync("boardroom@contoso.com", ct: Ct);
        var closet = await Provisioning.CreateAccountAsync("closet@contoso.com", ct: Ct);
        await Service<ResourceAccountService>().SetEnabledAsync(closet, false, Admin, AccessScope.All, Ct);
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=account-table] tbody tr").Count));

        cut.Find("[data-testid=select-page]").Click();

        Assert.Equal("2 selected", cut.Find("[data-testid=selected-count]").TextContent.Trim());
        Assert.False(Box(cut, "closet@contoso.com").Instance.GetState(x => x.Value));
        cut.Find("[data-testid=clear-selection]").Click();
        Assert.Equal("0 selected", cut.Find("[data-testid=selected-count]").TextContent.Trim());
    }

    [Fact]
    public async Task Large_batches_are_generated_in_one_call_and_all_codes_are_shown()
    {
        await Service<Core.RoomGroups.RoomGroupService>().CreateAsync("HQ", Admin, Ct);
        await ImportAsync([.. Enumerable.Range(1, 130).Select(i => $"room{i:000}@contoso.com,Room {i:000},HQ,Pw-{i}")]);
        var ids = (await Service<ResourceAccountService>().ListAsync(new ResourceAccountQuery(PageSize: 200), AccessScope.All, Ct)).Items.Select(a => a.Id);
        Service<OtpWizardSelection>().Set(ids);
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal("130 selected", cut.Find("[data-testid=selected-count]").TextContent.Trim()));
        cut.Find("[data-testid=next]").Click();
        cut.Find("[data-testid=next]").Click();
        cut.WaitForAssertion(() => Assert.Contains("and 120 more", cut.Find("[data-testid=review-accounts]").TextContent, StringComparison.Ordinal));

        cut.Find("[data-testid=generate]").Click();

        cut.WaitForElement("[data-testid=step-result]");
        var codes = cut.FindAll("[data-testid=otp-code]").Select(c => c.TextContent).ToList();
        Assert.Equal(130, codes.Count);
        Assert.Equal(130, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches(CodeFormat(), c));
    }

    [Fact]
    public async Task Uploaded_sign_in_data_reaches_the_accounts_byte_for_byte_and_only_the_download_escapes_formulas()
    {
        string[] upns = ["=lobby@contoso.com", "+board@contoso.com", "-hall@contoso.com", "'attic@contoso.com", "cellar@contoso.com", "den@contoso.com", "east@contoso.com"];
        string[] passwords = ["=1+2", "+Pass-2", "-Pass-3", "'Pass-4", "@Pass-5", "\tPass-6", "\"Pass,7"];
        foreach (var upn in upns)
        {
            await Provisioning.CreateAccountAsync(upn, ct: Ct);
        }

        JSInterop.SetupVoid("roomsPortal.downloadText", _ => true).SetVoidResult();
        var cut = RenderPage<GenerateOtpWizard>();
        cut.WaitForAssertion(() => Assert.Equal(7, cut.FindAll("[data-testid=account-table] tbody tr").Count));
        cut.Find("[data-testid=select-page]").Click();
        cut.Find("[data-testid=next]").Click();
        await ChooseAsync(cut.FindComponent<MudRadioGroup<OtpPasswordMode>>(), OtpPasswordMode.UploadedSignInData);
        var file = "upn,password\r\n" + string.Concat(upns.Zip(passwords, (u, p) => $"{u},{(p.Contains('"', StringComparison.Ordinal) ? "\"" + p.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : p)}\r\n"));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(file, "signin.csv"));
        cut.WaitForElement("[data-testid=sign-in-data-ok]");
        cut.Find("[data-testid=next]").Click();
        cut.WaitForElement("[data-testid=step-review]");

        cut.Find("[data-testid=generate]").Click();

        cut.WaitForElement("[data-testid=step-result]");
        Assert.Equal(7, cut.FindAll("[data-testid=otp-code]").Count);
        await using (var db = await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct))
        {
            var stored = await db.Set<ResourceAccount>().ToDictionaryAsync(a => a.Upn, a => a.ProtectedPassword, Ct);
            for (var i = 0; i < upns.Length; i++)
            {
                Assert.Equal(passwords[i], Service<SignInDataProtector>().Unprotect(stored[upns[i]]!));
            }
        }

        var manual = await Service<ManualSetupService>().ManualSignInAsync(upns[0], passwords[0], new DeviceInfo("SN-1", "Contoso", "RoomConsole 10", null), null, Ct);
        Assert.True(manual.Succeeded, manual.Error.ToString());
        cut.Find("[data-testid=download-csv-passwords]").Click();
        var download = (string)JSInterop.Invocations["roomsPortal.downloadText"].Single().Arguments[1]!;
        var cells = Core.Csv.CsvReader.Parse(download, out _).Skip(1).ToDictionary(r => r.Fields[0], r => r.Fields[4]);
        Assert.Equal("'=1+2", cells["'=lobby@contoso.com"]);
        Assert.Equal("'Pass-4", cells["'attic@contoso.com"]);
        Assert.Equal("\"Pass,7", cells["east@contoso.com"]);
    }

    private static IRenderedComponent<MudCheckBox<bool>> Box(IRenderedComponent<GenerateOtpWizard> cut, string upn) =>
        cut.FindComponents<MudCheckBox<bool>>().Single(b =>
            b.Instance.UserAttributes.TryGetValue("data-testid", out var id) && (string?)id == "select-" + upn);

    [GeneratedRegex("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")]
    private static partial Regex CodeFormat();
}
