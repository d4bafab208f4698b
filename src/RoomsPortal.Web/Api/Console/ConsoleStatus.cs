using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;

namespace RoomsPortal.Web.Api.Console;

/// <summary>Core's view of a console's request, in the protocol's words.</summary>
internal static class ConsoleStatus
{
    public static SetupStatusResponse ToResponse(ConsoleRequestStatus status) => new(
        status.RequestId,
        status.Status switch
        {
            ConsoleSetupStatus.Approved => SetupStatus.Approved,
            ConsoleSetupStatus.Rejected => SetupStatus.Rejected,
            ConsoleSetupStatus.Expired => SetupStatus.Expired,
            ConsoleSetupStatus.SignedIn => SetupStatus.SignedIn,
            _ => SetupStatus.Pending,
        },
        status.AutoApproved,
        status.AccountUpn,
        status.RejectReason?.ToString(),
        status.RejectNote,
        status.ExpiresAt);
}
