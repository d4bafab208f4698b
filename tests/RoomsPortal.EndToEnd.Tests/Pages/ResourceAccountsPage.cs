using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>Planning &gt; Resource Accounts: the grid, Import and Generate OTP.</summary>
public sealed class ResourceAccountsPage(IPage page, Uri baseAddress) : PortalPage(page, baseAddress)
{
    private readonly Uri _baseAddress = baseAddress;

    public ILocator Grid => Page.GetByTestId("accounts-grid");

    public ILocator EmptyState => Page.GetByTestId("empty-state");

    public ILocator ImportErrors => Page.GetByTestId("import-errors");

    public Task OpenAsync() => GotoAsync("/planning/resource-accounts");

    /// <summary>The grid row of an account.</summary>
    public ILocator Row(string upn) => Grid.Locator("tbody tr").Filter(new() { HasText = upn });

    /// <summary>Imports CSV text through the Import button's file picker.</summary>
    public Task ImportAsync(string csv, string fileName = "accounts.csv") =>
        FileInputs.ChooseAsync(Page.GetByTestId("import-file"), fileName, csv);

    public Task SelectAsync(string upn) => Row(upn).Locator("input[type=checkbox]").CheckAsync();

    /// <summary>Selects the given accounts and opens the wizard with them.</summary>
    public async Task<GenerateOtpWizardPage> GenerateOtpAsync(params string[] upns)
    {
        ArgumentNullException.ThrowIfNull(upns);
        foreach (var upn in upns)
        {
            await SelectAsync(upn);
        }

        await Page.GetByTestId("generate-otp").ClickAsync();
        var wizard = new GenerateOtpWizardPage(Page, _baseAddress);
        await wizard.AccountStep.WaitForAsync();
        return wizard;
    }

    public Task OpenAccountAsync(string upn) => Row(upn).Locator("td").Nth(1).ClickAsync();
}
