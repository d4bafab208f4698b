using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>The portal's sign-in page (a static form: no circuit to wait for).</summary>
public sealed class SignInPage(IPage page, Uri baseAddress)
{
    public IPage Page { get; } = page;

    public ILocator Error => Page.GetByTestId("sign-in-error");

    public Task OpenAsync() => Page.GotoAsync(new Uri(baseAddress, "/account/sign-in").ToString());

    /// <summary>Opens the sign-in page unless the browser is already on it, fills the form and waits for the answer.</summary>
    public async Task SignInAsync(string userName, string password)
    {
        if (!Page.Url.Contains("/account/sign-in", StringComparison.OrdinalIgnoreCase))
        {
            await OpenAsync();
        }

        await Page.GetByTestId("user-name").FillAsync(userName);
        await Page.GetByTestId("password").FillAsync(password);
        var answer = await Page.RunAndWaitForResponseAsync(
            () => Page.GetByTestId("sign-in").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.Contains("/account/sign-in", StringComparison.OrdinalIgnoreCase));
        if (answer.Status is >= 300 and < 400)
        {
            await Page.WaitForURLAsync(url => !url.Contains("/account/sign-in", StringComparison.OrdinalIgnoreCase));
        }
        else
        {
            await Page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        }
    }
}
