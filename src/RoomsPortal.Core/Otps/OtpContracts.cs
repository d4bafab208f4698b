using RoomsPortal.Core.Csv;

namespace RoomsPortal.Core.Otps;

/// <summary>The wizard's Configuration step.</summary>
public enum OtpPasswordMode
{
    /// <summary>Reset each account's password to a new random one.</summary>
    GeneratePasswords,

    /// <summary>Use the passwords of uploaded sign-in data (<c>upn,password</c>), exactly as uploaded.</summary>
    UploadedSignInData,

    /// <summary>
    /// Keep each account's current password (every account must have one). Used to issue again the codes of a run
    /// that were never shown: the run already set the passwords.
    /// </summary>
    KeepPasswords,
}

/// <summary>One account's sign-in data as parsed from an upload: kept exactly as the file had it.</summary>
public sealed record SignInCredentials(string Upn, string Password)
{
    /// <summary>Keeps the password out of logs and debugger summaries.</summary>
    public override string ToString() => $"SignInCredentials {{ Upn = {Upn}, Password = *** }}";
}

/// <summary>What to generate.</summary>
/// <param name="AccountIds">The selected accounts.</param>
/// <param name="Mode">How passwords are set.</param>
/// <param name="SignInData">
/// For <see cref="OtpPasswordMode.UploadedSignInData"/>: one (UPN, password) pair per selected account, as
/// <see cref="OtpService.ParseSignInData"/> parsed them. The values are stored byte for byte; no CSV travels here.
/// </param>
/// <param name="RunId">
/// The wizard run (<see cref="OtpService.StartRunAsync"/>) this chunk belongs to; null makes the batch a run of its own,
/// delivered with the result.
/// </param>
public sealed record OtpBatchRequest(
    IReadOnlyList<Guid> AccountIds,
    OtpPasswordMode Mode,
    IReadOnlyList<SignInCredentials>? SignInData = null,
    Guid? RunId = null);

public enum OtpBatchError
{
    NoAccounts,
    TooManyAccounts,
    AccountNotFound,
    AccountNotReady,
    InvalidSignInData,

    /// <summary><see cref="OtpPasswordMode.KeepPasswords"/> for an account that has no password yet.</summary>
    NoPasswordToKeep,

    /// <summary>The run does not exist, belongs to someone else, or was closed (shown or abandoned).</summary>
    RunClosed,
}

public enum OtpRevokeError
{
    NotFound,
    AlreadyUsed,
    AlreadyRevoked,
}

/// <summary>One account's OTP, in clear: only this result ever holds it.</summary>
public sealed record IssuedOtp(Guid OtpId, Guid AccountId, string Upn, string DisplayName, string Code, string Password)
{
    /// <summary>Keeps the code and password out of logs and debugger summaries.</summary>
    public override string ToString() => $"IssuedOtp {{ OtpId = {OtpId}, Upn = {Upn}, Code = ***, Password = *** }}";
}

/// <summary>A generated batch. Render it for installers with <see cref="ToCsv"/>.</summary>
public sealed record OtpBatch(Guid BatchId, DateTimeOffset ExpiresAt, IReadOnlyList<IssuedOtp> Items)
{
    public override string ToString() => $"OtpBatch {{ BatchId = {BatchId}, ExpiresAt = {ExpiresAt:u}, Items = {Items.Count} }}";

    /// <summary>
    /// The file people open in a spreadsheet: cells starting with <c>= + - @</c>, tab or CR get a leading <c>'</c>
    /// (<see cref="CsvWriter"/>), which is not part of the value.
    /// </summary>
    public string ToCsv(bool includePasswords)
    {
        var writer = new CsvWriter();
        writer.WriteRow(includePasswords
            ? ["upn", "display name", "one-time password", "expires (UTC)", "password"]
            : ["upn", "display name", "one-time password", "expires (UTC)"]);
        var expires = ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var item in Items)
        {
            writer.WriteRow(includePasswords
                ? [item.Upn, item.DisplayName, item.Code, expires, item.Password]
                : [item.Upn, item.DisplayName, item.Code, expires]);
        }

        return writer.ToString();
    }
}

/// <summary>The state of an OTP in an account's history.</summary>
public enum OtpState
{
    Active,
    Redeemed,
    Revoked,
    Expired,
}

public sealed record OtpSummary(Guid Id, Guid BatchId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, OtpState State,
    DateTimeOffset? RedeemedAt, string? RedeemedBySerial, DateTimeOffset? RevokedAt);

/// <summary>One <c>upn,password</c> row of uploaded sign-in data.</summary>
public sealed record SignInDataRow(int LineNumber, string Upn, string Password)
{
    /// <summary>The pair Core generates with.</summary>
    public SignInCredentials Credentials => new(Upn, Password);

    /// <summary>Keeps the password out of logs and debugger summaries.</summary>
    public override string ToString() => $"SignInDataRow {{ LineNumber = {LineNumber}, Upn = {Upn}, Password = *** }}";
}
