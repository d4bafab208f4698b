using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>
/// Choosing a file in a Blazor <c>InputFile</c>. The element is in the page as soon as a render batch draws it, but its
/// change listener is only attached by a JS interop call the server sends after the browser has acknowledged that
/// batch; a file set in between raises a change nobody hears and the import silently never happens (CI saw it on a
/// loaded machine: an empty Resource Accounts grid 15 s after the import). Blazor's init marks the element with
/// <c>_blazorInputFileNextFileId</c>; waiting for that mark is waiting for the listener. The mark is Blazor's private
/// state: if a framework upgrade renames it, this wait times out and says so, it never passes without the listener.
/// </summary>
public static class FileInputs
{
    public static async Task ChooseAsync(ILocator input, string fileName, string csv)
    {
        ArgumentNullException.ThrowIfNull(input);
        var element = await input.ElementHandleAsync();
        await input.Page.WaitForFunctionAsync(
            "element => element.isConnected && element._blazorInputFileNextFileId !== undefined",
            element,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
        await input.SetInputFilesAsync(new FilePayload
        {
            Name = fileName,
            MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes(csv),
        });
    }
}
