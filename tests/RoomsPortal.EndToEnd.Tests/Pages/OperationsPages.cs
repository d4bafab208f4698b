using Microsoft.Playwright;

namespace RoomsPortal.EndToEnd.Tests.Pages;

/// <summary>The device inventory.</summary>
public sealed class DevicesPage(IPage page, Uri baseAddress) : PortalPage(page, baseAddress)
{
    public ILocator Serials => Page.GetByTestId("device-serial");

    public Task OpenAsync() => GotoAsync("/devices");
}

/// <summary>The helpdesk's verification failures.</summary>
public sealed class VerificationFailuresPage(IPage page, Uri baseAddress) : PortalPage(page, baseAddress)
{
    public ILocator Grid => Page.GetByTestId("failures-grid");

    public ILocator Reasons => Page.GetByTestId("failure-reason");

    public ILocator Steps => Page.GetByTestId("failure-steps");

    public Task OpenAsync() => GotoAsync("/verification-failures");
}
