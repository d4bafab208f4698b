using MudBlazor;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Web.Components.Pages.ResourceAccounts;

/// <summary>The words the resource account pages show for Core's states and reasons.</summary>
public static class AccountText
{
    public const string AwaitingApproval = "Awaiting OTP Approval";

    public static string Readiness(ResourceAccountView account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.Readiness == Core.ResourceAccounts.Readiness.NoActionNeeded ? "No action needed" : "Needs action";
    }

    /// <summary>Why an account needs action, in words ("disabled, no sign-in data").</summary>
    public static string Reasons(ReadinessReasons reasons)
    {
        var words = new List<string>();
        if (reasons.HasFlag(ReadinessReasons.Disabled))
        {
            words.Add("disabled");
        }

        if (reasons.HasFlag(ReadinessReasons.NoSignInData))
        {
            words.Add("no sign-in data");
        }

        if (reasons.HasFlag(ReadinessReasons.NoRoomGroup))
        {
            words.Add("no room group");
        }

        return string.Join(", ", words);
    }

    /// <summary>Why the Generate OTP wizard cannot pick an account (missing sign-in data does not block it).</summary>
    public static string WhyNotSelectable(ResourceAccountView account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return Reasons(account.Reasons & ~ReadinessReasons.NoSignInData) switch
        {
            "" => string.Empty,
            var words => "Needs action: " + words,
        };
    }

    public static string Status(ProvisioningStatus status) => status switch
    {
        ProvisioningStatus.OtpIssued => "OTP issued",
        ProvisioningStatus.AwaitingOtpApproval => AwaitingApproval,
        ProvisioningStatus.Provisioned => "Provisioned",
        _ => "Not started",
    };

    public static Color StatusColor(ProvisioningStatus status) => status switch
    {
        ProvisioningStatus.AwaitingOtpApproval => Color.Warning,
        ProvisioningStatus.Provisioned => Color.Success,
        ProvisioningStatus.OtpIssued => Color.Info,
        _ => Color.Default,
    };

    public static string OtpState(OtpState state) => state switch
    {
        Core.Otps.OtpState.Active => "Active",
        Core.Otps.OtpState.Redeemed => "Used",
        Core.Otps.OtpState.Revoked => "Revoked",
        _ => "Expired",
    };

    public static string Approval(ApprovalStatus status) => status switch
    {
        ApprovalStatus.Pending => "Pending approval",
        ApprovalStatus.Approved => "Approved",
        ApprovalStatus.Rejected => "Rejected",
        _ => "Expired",
    };

    public const string UnseenCode = "Code issued but never shown";

    /// <summary>Where a run of the Generate OTP wizard stands, in words.</summary>
    public static string RunState(OtpRunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.State switch
        {
            OtpRunState.Completed when run.IssuedCount < run.AccountCount => "Codes shown; generation stopped early",
            OtpRunState.Completed => "Codes shown",
            OtpRunState.Abandoned => "Closed before the codes were shown",
            _ when run.Stopped => "Stopped before the codes were shown",
            _ => "Generating",
        };
    }

    public static string Mode(OtpPasswordMode mode) => mode switch
    {
        OtpPasswordMode.GeneratePasswords => "New passwords generated",
        OtpPasswordMode.UploadedSignInData => "Sign-in data from a CSV file",
        _ => "Passwords kept",
    };

    public static string Hours(int hours) => hours switch
    {
        1 => "1 hour",
        24 => "24 hours (1 day)",
        72 => "72 hours (3 days)",
        168 => "168 hours (1 week)",
        336 => "336 hours (2 weeks)",
        _ => $"{hours} hours",
    };
}
