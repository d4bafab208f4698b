using MudBlazor;
using RoomsPortal.Core.Approvals;

namespace RoomsPortal.Web.Components.Shared;

/// <summary>What a page tells the admin after submitting a decision.</summary>
public sealed record DecisionNotice(string Message, Severity Severity);

/// <summary>
/// Submits a <see cref="DecisionDialog"/> decision as the signed-in caller and words its outcome, so every page that
/// decides sign-in requests reports a race (another admin, expiry) the same way.
/// </summary>
public sealed class DecisionSubmitter(ApprovalService approvals, PortalCaller caller)
{
    public async Task<DecisionNotice> SubmitAsync(
        ApprovalRequestView request, DecisionDialog.Decision decision, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(decision);
        var (actor, scope) = await caller.GetAsync();
        var result = decision.Approve
            ? await approvals.ApproveAsync(request.Id, actor, scope, ct)
            : decision.Reason is { } reason
                ? await approvals.RejectAsync(request.Id, reason, decision.Note, actor, scope, ct)
                : DecisionError.InvalidReason;
        if (result.Succeeded)
        {
            return decision.Approve
                ? new($"Approved. The console {request.Serial} signs in as {request.AccountUpn}.", Severity.Success)
                : new($"Rejected. The console {request.Serial} shows the reason to the installer.", Severity.Info);
        }

        return result.Error switch
        {
            DecisionError.AlreadyDecided => new("Another admin already decided this request. The page now shows its current state.", Severity.Warning),
            DecisionError.Expired => new("This request expired with its one-time password. Generate a new one-time password for the account and enter it on the console again.", Severity.Warning),
            DecisionError.InvalidReason => new("Choose a reason, and add a note when the reason is Other.", Severity.Error),
            DecisionError.InvalidNote => new(Core.Common.TextRules.CheckNote(decision.Note, "The note", ApprovalRequest.NoteMaxLength) ?? "The note cannot be used.", Severity.Error),
            DecisionError.AccountDisabled => new("The resource account is disabled, so this console cannot sign in with it. Enable the account under Planning > Resource Accounts, or reject the request.", Severity.Warning),
            _ => new("This request is no longer in your room groups or was removed.", Severity.Warning),
        };
    }
}
