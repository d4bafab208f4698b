using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Testing;
using RoomsPortal.Web.Components.Pages.ResourceAccounts;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components.ResourceAccounts;

/// <summary>The resource account pages' test context: seeding through Core and access to dialogs and snackbars.</summary>
public abstract class AccountPageContext : PortalComponentContext
{
    protected AccountPageContext()
    {
        Services.AddScoped<OtpWizardSelection>();
        Provisioning = new PortalProvisioning(Services);
    }

    protected PortalProvisioning Provisioning { get; }

    protected static Actor Admin => PortalProvisioning.Admin;

    protected IEnumerable<string> Snackbars => Service<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? string.Empty);

    /// <summary>Renders the page after the providers, returning the dialog provider too (dialogs render there).</summary>
    protected (IRenderedComponent<TPage> Page, IRenderedComponent<MudDialogProvider> Dialogs) RenderWithDialogs<TPage>(
        Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null)
        where TPage : IComponent
    {
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        return (parameters is null ? Render<TPage>() : Render<TPage>(parameters), dialogs);
    }

    protected async Task<ResourceAccountView> AccountAsync(Guid id) =>
        (await Service<ResourceAccountService>().GetAsync(id, AccessScope.All, Ct))!;

    /// <summary>Imports accounts (<c>upn,display name,room group,password</c> rows) into existing room groups.</summary>
    protected async Task ImportAsync(params string[] rows)
    {
        var result = await Service<ResourceAccountService>().ImportAsync(
            "upn,display name,room group,password\n" + string.Join('\n', rows) + "\n", Admin, AccessScope.All, Ct);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.LineNumber}: {e.Message}")));
    }

    /// <summary>A console redeems the account's new OTP; auto approval is off, so the request waits.</summary>
    protected async Task<(IssuedOtp Otp, Guid RequestId)> PendingRequestAsync(Guid accountId, string upn, string serial = "SN-4711")
    {
        var otp = await Provisioning.IssueOtpAsync(accountId, upn, ct: Ct);
        var redeemed = await Service<ApprovalService>().RedeemAsync(
            otp.Code, new DeviceInfo(serial, "Contoso", "RoomConsole 10", "1.4.2"), "10.1.2.3", Ct);
        Assert.True(redeemed.Succeeded, redeemed.Error.ToString());
        return (otp, redeemed.Value!.RequestId);
    }

    /// <summary>Sets a MudBlazor input's value the way the user would, through its ValueChanged callback.</summary>
    protected static Task SetAsync<TComponent, TValue>(IRenderedComponent<TComponent> input, TValue value)
        where TComponent : MudBaseInput<TValue> =>
        input.InvokeAsync(() => input.Instance.ValueChanged.InvokeAsync(value));

    protected static Task ChooseAsync<TValue>(IRenderedComponent<MudRadioGroup<TValue>> group, TValue value) =>
        group.InvokeAsync(() => group.Instance.ValueChanged.InvokeAsync(value));

    protected static Task CheckAsync(IRenderedComponent<MudCheckBox<bool>> box, bool value) =>
        box.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(value));
}
