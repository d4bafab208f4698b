using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>The Generate OTP wizard: Account selection, Configuration, Review, Generate, Result.</summary>
public sealed class GenerateOtpWizardPage(IPage page, Uri baseAddress) : PortalPage(page, baseAddress)
{
    public ILocator AccountStep => Page.GetByTestId("step-accounts");

    public ILocator ConfigurationStep => Page.GetByTestId("step-configuration");

    public ILocator ReviewStep => Page.GetByTestId("step-review");

    public ILocator ResultStep => Page.GetByTestId("step-result");

    public ILocator Codes => Page.GetByTestId("otp-code");

    public async Task OpenAsync()
    {
        await GotoAsync("/planning/resource-accounts/generate-otp");
        await AccountStep.WaitForAsync();
    }

    public async Task SelectAccountAsync(string upn)
    {
        await Page.GetByTestId("account-search").FillAsync(upn);
        var box = Page.GetByTestId($"select-{upn}");
        await box.CheckAsync();
        await Assertions.Expect(box).ToBeCheckedAsync();
    }

    public Task NextAsync() => Page.GetByTestId("next").ClickAsync();

    /// <summary>Configuration: "Use sign-in data from a CSV file" with <c>upn,password</c> rows.</summary>
    public async Task UseSignInDataAsync(string csv)
    {
        await Page.GetByTestId("mode-upload").CheckAsync();
        await FileInputs.ChooseAsync(Page.GetByTestId("sign-in-data-file"), "sign-in-data.csv", csv);
        await Page.GetByTestId("sign-in-data-ok").WaitForAsync();
    }

    /// <summary>From the Accounts step with the accounts chosen: the default configuration, Review, Generate.</summary>
    public async Task GenerateWithDefaultsAsync()
    {
        await NextAsync();
        await ConfigurationStep.WaitForAsync();
        await NextAsync();
        await ReviewStep.WaitForAsync();
        await GenerateAsync();
    }

    public async Task GenerateAsync()
    {
        await Page.GetByTestId("generate").ClickAsync();
        await ResultStep.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
    }

    /// <summary>The codes on the Result step, by UPN.</summary>
    public async Task<IReadOnlyDictionary<string, string>> CodesByUpnAsync()
    {
        var codes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in await Page.GetByTestId("code-row").AllAsync())
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            codes[cells[1].Trim()] = cells[2].Trim();
        }

        return codes;
    }

    /// <summary>
    /// Runs the whole wizard for one account and returns its code. Without <paramref name="signInDataCsv"/> the account's
    /// password is reset; with it (<c>upn,password</c>) the account keeps the given password. Downloads the CSV as an
    /// admin would, so the page lets the test navigate away without the "leave without downloading?" prompt.
    /// </summary>
    public async Task<string> GenerateForOneAccountAsync(string upn, string? signInDataCsv = null)
    {
        await OpenAsync();
        await SelectAccountAsync(upn);
        await NextAsync();
        await ConfigurationStep.WaitForAsync();
        if (signInDataCsv is not null)
        {
            await UseSignInDataAsync(signInDataCsv);
        }

        await NextAsync();
        await ReviewStep.WaitForAsync();
        await GenerateAsync();
        var code = (await CodesByUpnAsync())[upn];
        var csv = await DownloadCsvAsync();
        if (!csv.Contains(code, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The downloaded CSV does not hold the code shown on the page.");
        }

        return code;
    }

    /// <summary>Downloads the codes CSV (optionally with passwords) and returns its text.</summary>
    public async Task<string> DownloadCsvAsync(bool withPasswords = false)
    {
        var download = await Page.RunAndWaitForDownloadAsync(() =>
            Page.GetByTestId(withPasswords ? "download-csv-passwords" : "download-csv").ClickAsync());
        var path = await download.PathAsync();
        return await File.ReadAllTextAsync(path);
    }
}
