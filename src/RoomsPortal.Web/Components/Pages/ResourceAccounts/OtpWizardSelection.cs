namespace RoomsPortal.Web.Components.Pages.ResourceAccounts;

/// <summary>
/// The rows selected in the Resource Accounts grid, handed to the Generate OTP wizard within the circuit
/// (a selection of thousands does not fit in a URL).
/// </summary>
public sealed class OtpWizardSelection
{
    private IReadOnlyList<Guid> _accountIds = [];

    public void Set(IEnumerable<Guid> accountIds) => _accountIds = [.. accountIds];

    /// <summary>Returns the selection once and forgets it, so a later visit starts empty.</summary>
    public IReadOnlyList<Guid> Take()
    {
        var ids = _accountIds;
        _accountIds = [];
        return ids;
    }
}
