using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>The live approvals queue and its decision dialog.</summary>
public sealed class ApprovalsPage(IPage page, Uri baseAddress) : PortalPage(page, baseAddress)
{
    public ILocator Grid => Page.GetByTestId("approvals-grid");

    public ILocator Empty => Page.GetByTestId("approvals-empty");

    public ILocator Badge => Page.GetByTestId("approvals-badge");

    public ILocator Dialog => Page.GetByTestId("decision-dialog");

    public Task OpenAsync() => GotoAsync("/approvals");

    /// <summary>The queue's row for a console serial.</summary>
    public ILocator Row(string serial) => Grid.Locator("tr").Filter(new() { HasText = serial });

    public async Task ApproveAsync(string serial)
    {
        await Page.GetByTestId($"approve-{serial}").ClickAsync();
        await Assertions.Expect(Dialog.GetByTestId("device-serial")).ToHaveTextAsync(serial);
        await Page.GetByTestId("decision-submit").ClickAsync();
    }

    public async Task RejectAsync(string serial, string reason, string? note)
    {
        await Page.GetByTestId($"reject-{serial}").ClickAsync();
        await Assertions.Expect(Dialog.GetByTestId("device-serial")).ToHaveTextAsync(serial);
        await Dialog.GetByText(reason, new() { Exact = true }).ClickAsync();
        if (note is not null)
        {
            await Dialog.GetByTestId("reject-note").FillAsync(note);
        }

        await Page.GetByTestId("decision-submit").ClickAsync();
    }
}
