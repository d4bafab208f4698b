using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Otps;

/// <summary>The wizard's Configuration step.</summary>
public enum OtpPasswordMode
{
    /// <summary>Reset each account's password to a new random one.</summary>
    GeneratePasswords,

    /// <summary>Use the passwords of an uploaded <c>upn,password</c> CSV.</summary>
    UploadedSignInData,
}

/// <summary>What to generate.</summary>
/// <param name="AccountIds">The selected accounts.</param>
/// <param name="Mode">How passwords are set.</param>
/// <param name="SignInDataCsv">For <see cref="OtpPasswordMode.UploadedSignInData"/>: one row per selected account.</param>
public sealed record OtpBatchRequest(IReadOnlyList<Guid> AccountIds, OtpPasswordMode Mode, string? SignInDataCsv = null);

public enum OtpBatchError
{
    NoAccounts,
    TooManyAccounts,
    AccountNotFound,
    AccountNotReady,
    InvalidSignInData,
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
public sealed record SignInDataRow(int LineNumber, string Upn, string Password);

/// <summary>Generates and revokes one-time passwords.</summary>
public sealed class OtpService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOtpKeyProvider keys,
    SignInDataProtector protector,
    IProvisioningNotifier notifier,
    TimeProvider time)
{
    public const int MaxBatchSize = CsvLimits.MaxRows;

    /// <summary>Parses and validates uploaded sign-in data (<c>upn,password</c>, header optional), every bad row reported.</summary>
    public static (IReadOnlyList<SignInDataRow> Rows, IReadOnlyList<CsvRowError> Errors) ParseSignInData(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (System.Text.Encoding.UTF8.GetByteCount(csv) > CsvLimits.MaxBytes)
        {
            return ([], [new CsvRowError(0, $"The file is larger than {CsvLimits.MaxBytes / 1024} KiB. Split it and upload the parts one after another.")]);
        }

        var records = CsvReader.Parse(csv, out var parseError);
        if (parseError is not null)
        {
            return ([], [parseError]);
        }

        var body = records.Count > 0 && ResourceAccountService.IsHeader(records[0], "upn") ? records.Skip(1).ToList() : [.. records];
        if (body.Count > CsvLimits.MaxRows)
        {
            return ([], [new CsvRowError(0, $"The file has {body.Count} rows; at most {CsvLimits.MaxRows} are allowed.")]);
        }

        var rows = new List<SignInDataRow>();
        var errors = new List<CsvRowError>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in body)
        {
            if (record.Fields.Count != 2)
            {
                errors.Add(new CsvRowError(record.LineNumber, $"Expected 2 fields (upn,password), found {record.Fields.Count}."));
                continue;
            }

            var upn = record.Fields[0].Trim();
            var password = record.Fields[1];
            var problems = new List<string>();
            if (!ResourceAccountService.IsValidUpn(upn))
            {
                problems.Add("the UPN is not a valid address");
            }
            else if (seen.TryGetValue(ResourceAccount.Normalize(upn), out var first))
            {
                problems.Add($"the UPN is a duplicate of line {first}");
            }

            seen.TryAdd(ResourceAccount.Normalize(upn), record.LineNumber);
            if (password.Length == 0)
            {
                problems.Add("the password is empty");
            }
            else if (password.Length > ResourceAccount.PasswordMaxLength)
            {
                problems.Add($"the password is longer than {ResourceAccount.PasswordMaxLength} characters");
            }

            if (problems.Count > 0)
            {
                errors.Add(new CsvRowError(record.LineNumber, string.Join("; ", problems) + "."));
            }
            else
            {
                rows.Add(new SignInDataRow(record.LineNumber, upn, password));
            }
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add(new CsvRowError(1, "The file has no sign-in data."));
        }

        return (rows, errors);
    }

    /// <summary>
    /// Generates one OTP per account in one transaction. Each account's earlier unused OTP is revoked. Passwords are
    /// reset (<see cref="OtpPasswordMode.GeneratePasswords"/>) or set from the upload; both are stored encrypted.
    /// </summary>
    public async Task<Result<OtpBatch, OtpBatchError>> GenerateAsync(OtpBatchRequest request, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var ids = request.AccountIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return OtpBatchError.NoAccounts;
        }

        if (ids.Count > MaxBatchSize)
        {
            return OtpBatchError.TooManyAccounts;
        }

        Dictionary<string, string>? uploaded = null;
        if (request.Mode == OtpPasswordMode.UploadedSignInData)
        {
            var (rows, errors) = ParseSignInData(request.SignInDataCsv ?? string.Empty);
            if (errors.Count > 0)
            {
                return OtpBatchError.InvalidSignInData;
            }

            uploaded = rows.ToDictionary(r => ResourceAccount.Normalize(r.Upn), r => r.Password, StringComparer.Ordinal);
        }

        var now = time.GetUtcNow();
        var batchId = Guid.NewGuid();
        var result = await dbFactory.InTransactionAsync(
            (db, token) => IssueAsync(db, ids, uploaded, batchId, actor, scope, now, token), ct);
        if (result.Value is { } issued)
        {
            foreach (var otp in issued.Otps)
            {
                await notifier.PublishAsync(new OtpChanged(otp.Id, otp.ResourceAccountId, issued.GroupOf[otp.ResourceAccountId], "Generated"));
            }

            return issued.Batch;
        }

        return result.Error!.Value;
    }

    /// <summary>The batch's unit of work: may run again on a transient failure, so codes and passwords are made anew in it.</summary>
    private async Task<Result<IssuedBatch, OtpBatchError>> IssueAsync(
        PortalDbContext db, List<Guid> ids, Dictionary<string, string>? uploaded, Guid batchId, Actor actor, AccessScope scope,
        DateTimeOffset now, CancellationToken ct)
    {
        var accounts = new List<ResourceAccount>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            accounts.AddRange(await ResourceAccountService.Scoped(db, scope).Where(a => chunk.Contains(a.Id)).ToListAsync(ct));
        }

        if (accounts.Count != ids.Count)
        {
            return OtpBatchError.AccountNotFound;
        }

        if (accounts.Any(a => !a.Enabled || a.RoomGroupId is null))
        {
            return OtpBatchError.AccountNotReady;
        }

        if (uploaded is not null && (uploaded.Count != accounts.Count || accounts.Any(a => !uploaded.ContainsKey(a.NormalizedUpn))))
        {
            return OtpBatchError.InvalidSignInData;
        }

        var validity = TimeSpan.FromHours(await PreferencesService.ValidityHoursAsync(db, ct));
        var expiresAt = now + validity;
        var items = new List<IssuedOtp>(accounts.Count);
        var otps = new List<OneTimePassword>(accounts.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            await db.Set<OneTimePassword>()
                .Where(o => chunk.Contains(o.ResourceAccountId) && o.RedeemedAt == null && o.RevokedAt == null)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.RevokedAt, now), ct);
        }

        foreach (var account in accounts.OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase))
        {
            var password = uploaded?[account.NormalizedUpn] ?? SignInDataProtector.GeneratePassword();
            account.ProtectedPassword = protector.Protect(password);
            account.ProvisioningStatus = ProvisioningStatus.OtpIssued;
            account.UpdatedAt = now;
            var code = OtpCode.Generate();
            var otp = new OneTimePassword
            {
                Id = Guid.NewGuid(),
                BatchId = batchId,
                ResourceAccountId = account.Id,
                CodeHash = OtpCode.Hash(keys, OtpCode.Normalize(code)!),
                CreatedAt = now,
                ExpiresAt = expiresAt,
                CreatedBy = actor.Id,
            };
            otps.Add(otp);
            items.Add(new IssuedOtp(otp.Id, account.Id, account.Upn, account.DisplayName, code, password));
            db.Add(AuditEntry.Create(now, actor, AuditCategory.Otps, AuditOperations.OtpGenerated, account.Upn,
                details: $"OTP {otp.Id} in batch {batchId}, expires {expiresAt:u}, "
                    + (uploaded is null ? "password reset" : "password from uploaded sign-in data")));
        }

        db.Set<OneTimePassword>().AddRange(otps);
        await db.SaveChangesAsync(ct);
        return new IssuedBatch(new OtpBatch(batchId, expiresAt, items), otps, accounts.ToDictionary(a => a.Id, a => a.RoomGroupId));
    }

    private sealed record IssuedBatch(OtpBatch Batch, IReadOnlyList<OneTimePassword> Otps, Dictionary<Guid, Guid?> GroupOf);

    /// <summary>Revokes an unused OTP.</summary>
    public async Task<Result<Guid, OtpRevokeError>> RevokeAsync(Guid otpId, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        var result = await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var otp = await db.Set<OneTimePassword>().Include(o => o.ResourceAccount).FirstOrDefaultAsync(o => o.Id == otpId, token);
            if (otp?.ResourceAccount is not { } account || !scope.Allows(account.RoomGroupId))
            {
                return Result<OtpChanged, OtpRevokeError>.Failure(OtpRevokeError.NotFound);
            }

            if (otp.RevokedAt is not null)
            {
                return OtpRevokeError.AlreadyRevoked;
            }

            var updated = await db.Set<OneTimePassword>()
                .Where(o => o.Id == otpId && o.RedeemedAt == null && o.RevokedAt == null)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.RevokedAt, now), token);
            if (updated == 0)
            {
                return OtpRevokeError.AlreadyUsed;
            }

            if (account.ProvisioningStatus == ProvisioningStatus.OtpIssued)
            {
                account.ProvisioningStatus = ProvisioningStatus.None;
                account.UpdatedAt = now;
            }

            db.Add(AuditEntry.Create(now, actor, AuditCategory.Otps, AuditOperations.OtpRevoked, account.Upn, details: $"OTP {otpId}"));
            await db.SaveChangesAsync(token);
            return new OtpChanged(otpId, account.Id, account.RoomGroupId, "Revoked");
        }, ct);
        if (result.Value is not { } change)
        {
            return result.Error!.Value;
        }

        await notifier.PublishAsync(change);
        return otpId;
    }

    /// <summary>An account's OTP history, newest first.</summary>
    public async Task<IReadOnlyList<OtpSummary>> ListForAccountAsync(Guid accountId, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inScope = await ResourceAccountService.Scoped(db, scope).AnyAsync(a => a.Id == accountId, ct);
        if (!inScope)
        {
            return [];
        }

        var rows = await db.Set<OneTimePassword>().AsNoTracking()
            .Where(o => o.ResourceAccountId == accountId)
            .OrderByDescending(o => o.CreatedAt)
            .ToListAsync(ct);
        return [.. rows.Select(o => new OtpSummary(o.Id, o.BatchId, o.CreatedAt, o.ExpiresAt, StateOf(o, now), o.RedeemedAt, o.RedeemedBySerial, o.RevokedAt))];
    }

    internal static OtpState StateOf(OneTimePassword o, DateTimeOffset now) =>
        o.RedeemedAt is not null ? OtpState.Redeemed
        : o.RevokedAt is not null ? OtpState.Revoked
        : now >= o.ExpiresAt ? OtpState.Expired
        : OtpState.Active;
}
