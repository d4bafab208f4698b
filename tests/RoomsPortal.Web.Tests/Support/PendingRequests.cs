using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Devices;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Support;

/// <summary>Seeds accounts and console redemptions through the Core services a page uses.</summary>
internal sealed class PendingRequests(IServiceProvider services)
{
    private readonly PortalProvisioning _admin = new(services);

    public PortalProvisioning Admin => _admin;

    /// <summary>An account with an OTP that a console redeemed: a request pending approval. Returns its id.</summary>
    public async Task<Guid> RedeemAsync(string upn, string serial, string roomGroup = "Building 4", CancellationToken ct = default) =>
        await RedeemCodeAsync(await IssueAsync(upn, roomGroup, ct), serial, ct);

    /// <summary>An account with an OTP not redeemed yet (the request's expiry is the code's). Returns the code.</summary>
    public async Task<string> IssueAsync(string upn, string roomGroup = "Building 4", CancellationToken ct = default)
    {
        var account = await _admin.CreateAccountAsync(upn, roomGroup: roomGroup, ct: ct);
        return (await _admin.IssueOtpAsync(account, upn, ct: ct)).Code;
    }

    /// <summary>A console redeems the code: a request pending approval. Returns its id.</summary>
    public async Task<Guid> RedeemCodeAsync(string code, string serial, CancellationToken ct = default)
    {
        var redeemed = await services.GetRequiredService<ApprovalService>()
            .RedeemAsync(code, new DeviceInfo(serial, "Contoso", "RoomConsole 10", "1.4.2"), "10.0.0.5", ct);
        if (!redeemed.Succeeded)
        {
            throw new InvalidOperationException($"Test set-up failed: redeem {redeemed.Error}");
        }

        return redeemed.Value!.RequestId;
    }
}
