using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Core.ResourceAccounts;

/// <summary>Why an account is not ready for an OTP.</summary>
[Flags]
public enum ReadinessReasons
{
    None = 0,
    Disabled = 1,
    NoSignInData = 2,
    NoRoomGroup = 4,
}

/// <summary>The readiness the Resource Accounts grid shows.</summary>
public enum Readiness
{
    NoActionNeeded,
    NeedsAction,
}

/// <summary>An account as the grid and the OTP wizard show it.</summary>
public sealed record ResourceAccountView(
    Guid Id,
    string Upn,
    string DisplayName,
    Guid? RoomGroupId,
    string? RoomGroupName,
    bool Enabled,
    bool HasSignInData,
    ProvisioningStatus ProvisioningStatus,
    ReadinessReasons Reasons,
    Guid? UnseenCodeRunId = null)
{
    /// <summary>
    /// The account's active code was issued by a wizard run that never showed it (<see cref="UnseenCodeRunId"/>): nobody
    /// has it, so it should be issued again.
    /// </summary>
    public bool HasUnseenCode => UnseenCodeRunId is not null;

    /// <summary>
    /// "No action needed" exactly when the OTP wizard may select the account, as in the product: missing sign-in data
    /// alone needs no action, because both OTP configurations set a password.
    /// </summary>
    public Readiness Readiness => CanGetOtp ? Readiness.NoActionNeeded : Readiness.NeedsAction;

    /// <summary>Whether the OTP wizard may select it (missing sign-in data does not block).</summary>
    public bool CanGetOtp => (Reasons & ~ReadinessReasons.NoSignInData) == ReadinessReasons.None;

    internal static ReadinessReasons ReasonsFor(bool enabled, bool hasSignInData, Guid? roomGroupId) =>
        (enabled ? ReadinessReasons.None : ReadinessReasons.Disabled)
        | (hasSignInData ? ReadinessReasons.None : ReadinessReasons.NoSignInData)
        | (roomGroupId is null ? ReadinessReasons.NoRoomGroup : ReadinessReasons.None);
}

/// <summary>The columns the Resource Accounts grid sorts by (in the database).</summary>
public enum ResourceAccountSort
{
    DisplayName,
    Upn,
    RoomGroup,
    ProvisioningStatus,
}

/// <summary>Filter and order of the Resource Accounts grid.</summary>
public sealed record ResourceAccountQuery(
    string? Search = null,
    Guid? RoomGroupId = null,
    int Page = 1,
    int PageSize = 50,
    ResourceAccountSort Sort = ResourceAccountSort.DisplayName,
    bool Descending = false);

/// <summary>The outcome of a CSV import: how many accounts (and room groups) were created, or every bad row.</summary>
public sealed record ImportResult(int Created, IReadOnlyList<CsvRowError> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    /// <summary>The room groups the import created (with <see cref="ImportOptions.CreateMissingRoomGroups"/>), by name.</summary>
    public IReadOnlyList<string> CreatedRoomGroups { get; init; } = [];
}

/// <summary>How an import treats what the file names but the portal lacks.</summary>
/// <param name="CreateMissingRoomGroups">
/// Create the room groups the file names that do not exist yet, instead of refusing those rows. Only for an unrestricted
/// scope (a Rooms Pro Manager): a Site Lead cannot widen the portal's sites.
/// </param>
public sealed record ImportOptions(bool CreateMissingRoomGroups = false)
{
    public static ImportOptions Default { get; } = new();
}

public enum AccountError
{
    NotFound,
}

/// <summary>Resource accounts: import, list, enable/disable. Queries are filtered by the caller's scope.</summary>
public sealed class ResourceAccountService(IDbContextFactory<PortalDbContext> dbFactory, SignInDataProtector protector, TimeProvider time)
{
    /// <summary>Imports accounts into existing room groups only (see the overload with <see cref="ImportOptions"/>).</summary>
    public Task<ImportResult> ImportAsync(string csv, Actor actor, AccessScope scope, CancellationToken ct = default) =>
        ImportAsync(csv, actor, scope, ImportOptions.Default, ct);

    /// <summary>
    /// Imports accounts from CSV (header <c>upn,display name,room group[,password]</c>). Every row is validated first;
    /// if any row is wrong nothing is written and every error is returned with its line. Room groups must exist and be
    /// in scope (a typo must not create a site) unless <see cref="ImportOptions.CreateMissingRoomGroups"/> asks for them
    /// to be created; an existing UPN is an error (import creates, it does not update). One audit entry names the
    /// accounts (the first 50, and how many in all) and the room groups it created.
    /// </summary>
    public async Task<ImportResult> ImportAsync(string csv, Actor actor, AccessScope scope, ImportOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(options);
        if (options.CreateMissingRoomGroups && !scope.IsUnrestricted)
        {
            return new ImportResult(0, [new CsvRowError(0, "Only a Rooms Pro Manager can create room groups during an import. Untick \"create missing room groups\", or ask a Rooms Pro Manager to create them under Settings > Room groups.")]);
        }

        if (System.Text.Encoding.UTF8.GetByteCount(csv) > CsvLimits.MaxBytes)
        {
            return new ImportResult(0, [new CsvRowError(0, $"The file is larger than {CsvLimits.MaxBytes / 1024} KiB. Split it and upload the parts one after another.")]);
        }

        var records = CsvReader.Parse(csv, out var parseError);
        if (parseError is not null)
        {
            return new ImportResult(0, [parseError]);
        }

        if (records.Count == 0 || !IsHeader(records[0], "upn"))
        {
            return new ImportResult(0, [new CsvRowError(1, "The first line must be the header: upn,display name,room group,password.")]);
        }

        var rows = records.Skip(1).ToList();
        if (rows.Count == 0)
        {
            return new ImportResult(0, [new CsvRowError(1, "The file has no accounts.")]);
        }

        if (rows.Count > CsvLimits.MaxRows)
        {
            return new ImportResult(0, [new CsvRowError(0, $"The file has {rows.Count} rows; at most {CsvLimits.MaxRows} can be imported at once.")]);
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var groups = await db.Set<RoomGroup>().AsNoTracking().ToListAsync(ct);
        var groupsByName = groups.ToDictionary(g => g.Name.Trim(), g => g, StringComparer.OrdinalIgnoreCase);
        var upns = rows.Select(r => r.Fields.Count > 0 ? ResourceAccount.Normalize(r.Fields[0]) : string.Empty).ToList();
        var existing = (await db.Set<ResourceAccount>().Where(a => upns.Contains(a.NormalizedUpn)).Select(a => a.NormalizedUpn).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);

        var errors = new List<CsvRowError>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var accounts = new List<ResourceAccount>();
        var newGroups = new List<RoomGroup>();
        foreach (var row in rows)
        {
            var problems = new List<string>();
            if (row.Fields.Count is < 3 or > 4)
            {
                errors.Add(new CsvRowError(row.LineNumber, $"Expected 3 or 4 fields, found {row.Fields.Count}."));
                continue;
            }

            var upn = row.Fields[0].Trim();
            var displayName = row.Fields[1].Trim();
            var groupName = row.Fields[2].Trim();
            var password = row.Fields.Count == 4 && row.Fields[3].Length > 0 ? row.Fields[3] : null;
            var key = ResourceAccount.Normalize(upn);
            if (!IsValidUpn(upn))
            {
                problems.Add("the UPN is not a valid address");
            }
            else if (seen.TryGetValue(key, out var firstLine))
            {
                problems.Add($"the UPN is a duplicate of line {firstLine}");
            }
            else if (existing.Contains(key))
            {
                problems.Add("an account with this UPN already exists");
            }

            seen.TryAdd(key, row.LineNumber);
            if (CheckDisplayName(displayName) is { } nameProblem)
            {
                problems.Add(AsClause(nameProblem));
            }

            RoomGroup? group = null;
            if (groupName.Length > 0 && RoomGroupService.CheckName(groupName) is { } groupProblem)
            {
                problems.Add(AsClause(groupProblem));
            }
            else if (groupName.Length > 0 && !groupsByName.TryGetValue(groupName, out group))
            {
                if (options.CreateMissingRoomGroups)
                {
                    group = new RoomGroup { Id = Guid.NewGuid(), Name = groupName, CreatedAt = now };
                    groupsByName[groupName] = group;
                    newGroups.Add(group);
                }
                else
                {
                    problems.Add($"the room group '{Clip(groupName)}' does not exist (correct the name, tick \"create missing room groups\" if you are a Rooms Pro Manager, or ask one to create the room group first)");
                }
            }
            else if (!scope.Allows(group?.Id))
            {
                problems.Add("the room group is outside your scope");
            }

            if (password is { Length: > ResourceAccount.PasswordMaxLength })
            {
                problems.Add($"the password is longer than {ResourceAccount.PasswordMaxLength} characters");
            }

            if (problems.Count > 0)
            {
                errors.Add(new CsvRowError(row.LineNumber, string.Join("; ", problems) + "."));
                continue;
            }

            accounts.Add(new ResourceAccount
            {
                Id = Guid.NewGuid(),
                Upn = upn,
                NormalizedUpn = key,
                DisplayName = displayName,
                RoomGroupId = group?.Id,
                Enabled = true,
                ProtectedPassword = password is null ? null : protector.Protect(password),
                CreatedAt = now,
                UpdatedAt = now,
            });
        }

        if (errors.Count > 0)
        {
            return new ImportResult(0, errors);
        }

        db.Set<RoomGroup>().AddRange(newGroups);
        db.Set<ResourceAccount>().AddRange(accounts);
        foreach (var group in newGroups)
        {
            db.Add(AuditEntry.Create(now, actor, AuditCategory.RoomGroups, AuditOperations.RoomGroupCreated, group.Name,
                details: "Created by a CSV import (create missing room groups)"));
        }

        db.Add(AuditEntry.Create(now, actor, AuditCategory.ResourceAccounts, AuditOperations.AccountsImported,
            $"{accounts.Count} accounts", details: DescribeImport(accounts, newGroups)));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (newGroups.Count > 0)
        {
            // Someone created one of these room groups meanwhile (unique name): nothing was written.
            return new ImportResult(0, [new CsvRowError(0, "A room group in the file was created by someone else meanwhile. Import the file again: its rows now go into that group.")]);
        }

        return new ImportResult(accounts.Count, []) { CreatedRoomGroups = [.. newGroups.Select(g => g.Name)] };
    }

    /// <summary>What the portal calls an account's display name in its messages.</summary>
    public const string DisplayNameLabel = "The display name";

    /// <summary>Why <paramref name="displayName"/> (trimmed) cannot name an account, or null when it can.</summary>
    public static string? CheckDisplayName(string? displayName) =>
        TextRules.CheckName(displayName?.Trim(), DisplayNameLabel, ResourceAccount.DisplayNameMaxLength);

    // Import creates accounts only (an existing UPN is refused), so "updated" is always none.
    private static string DescribeImport(List<ResourceAccount> accounts, List<RoomGroup> newGroups) =>
        $"Imported from CSV: created {accounts.Count} account(s): {AuditLists.FirstOf([.. accounts.Select(a => a.Upn)])}; updated 0"
        + (newGroups.Count == 0 ? "." : $"; created {newGroups.Count} room group(s): {AuditLists.FirstOf([.. newGroups.Select(g => g.Name)])}.");

    public async Task<PagedResult<ResourceAccountView>> ListAsync(ResourceAccountQuery query, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        var (page, size) = Paging.Clamp(query.Page, query.PageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var accounts = Scoped(db, scope);
        if (query.RoomGroupId is { } groupId)
        {
            accounts = accounts.Where(a => a.RoomGroupId == groupId);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToUpperInvariant();
            accounts = accounts.Where(a => a.NormalizedUpn.Contains(search) || a.DisplayName.ToUpper().Contains(search));
        }

        var total = await accounts.CountAsync(ct);
        var items = await Project(Order(accounts, query.Sort, query.Descending).Skip((page - 1) * size).Take(size), Unseen(db))
            .ToListAsync(ct);
        return new PagedResult<ResourceAccountView>([.. items.Select(Finish)], total, page, size);
    }

    /// <summary>The given accounts that exist and are in scope (others are left out), ordered by display name.</summary>
    public async Task<IReadOnlyList<ResourceAccountView>> GetManyAsync(IEnumerable<Guid> ids, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(scope);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = new List<Row>();
        foreach (var chunk in ids.Distinct().Chunk(500))
        {
            rows.AddRange(await Project(Scoped(db, scope).Where(a => chunk.Contains(a.Id)), Unseen(db)).ToListAsync(ct));
        }

        return [.. rows.Select(Finish).OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase)];
    }

    public async Task<ResourceAccountView?> GetAsync(Guid id, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await Project(Scoped(db, scope).Where(a => a.Id == id), Unseen(db)).FirstOrDefaultAsync(ct);
        return row is null ? null : Finish(row);
    }

    /// <summary>Enables or disables an account; disabling revokes its unused OTPs.</summary>
    public async Task<Result<ResourceAccountView, AccountError>> SetEnabledAsync(
        Guid id, bool enabled, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(scope);
        var now = time.GetUtcNow();
        var found = await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var account = await Scoped(db, scope).FirstOrDefaultAsync(a => a.Id == id, token);
            if (account is null)
            {
                return false;
            }

            var revoked = 0;
            if (!enabled)
            {
                // A disabled account must not be set up later by a code handed out before.
                revoked = await db.Set<OneTimePassword>()
                    .Where(o => o.ResourceAccountId == id && o.RedeemedAt == null && o.RevokedAt == null)
                    .ExecuteUpdateAsync(o => o.SetProperty(x => x.RevokedAt, now), token);
                if (account.ProvisioningStatus == ProvisioningStatus.OtpIssued)
                {
                    account.ProvisioningStatus = ProvisioningStatus.None;
                }
            }

            account.Enabled = enabled;
            account.UpdatedAt = now;
            db.Add(AuditEntry.Create(now, actor, AuditCategory.ResourceAccounts, AuditOperations.AccountUpdated, account.Upn,
                details: enabled ? "Enabled" : $"Disabled; {revoked} unused OTP(s) revoked"));
            await db.SaveChangesAsync(token);
            return true;
        }, ct);
        if (!found)
        {
            return AccountError.NotFound;
        }

        return (await GetAsync(id, scope, ct))!;
    }

    internal static IQueryable<ResourceAccount> Scoped(PortalDbContext db, AccessScope scope) =>
        db.Set<ResourceAccount>().WhereInScope(scope, a => a.RoomGroupId);

    internal static bool IsValidUpn(string upn)
    {
        if (upn.Length is 0 or > ResourceAccount.UpnMaxLength || upn.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        var at = upn.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == upn.LastIndexOf('@') && upn.IndexOf('.', at) > at + 1 && !upn.EndsWith('.')
            && MailAddress.TryCreate(upn, out var address) && address.Address == upn;
    }

    internal static bool IsHeader(CsvRecord record, string first) =>
        record.Fields.Count > 0 && string.Equals(record.Fields[0].Trim(), first, StringComparison.OrdinalIgnoreCase);

    // The UPN is unique, so it ends every order and paging is stable.
    private static IOrderedQueryable<ResourceAccount> Order(IQueryable<ResourceAccount> accounts, ResourceAccountSort sort, bool descending)
    {
        var ordered = (sort, descending) switch
        {
            (ResourceAccountSort.Upn, false) => accounts.OrderBy(a => a.NormalizedUpn),
            (ResourceAccountSort.Upn, true) => accounts.OrderByDescending(a => a.NormalizedUpn),
            (ResourceAccountSort.RoomGroup, false) => accounts.OrderBy(a => a.RoomGroup != null ? a.RoomGroup.Name : null).ThenBy(a => a.DisplayName),
            (ResourceAccountSort.RoomGroup, true) => accounts.OrderByDescending(a => a.RoomGroup != null ? a.RoomGroup.Name : null).ThenBy(a => a.DisplayName),
            (ResourceAccountSort.ProvisioningStatus, false) => accounts.OrderBy(a => a.ProvisioningStatus).ThenBy(a => a.DisplayName),
            (ResourceAccountSort.ProvisioningStatus, true) => accounts.OrderByDescending(a => a.ProvisioningStatus).ThenBy(a => a.DisplayName),
            (_, true) => accounts.OrderByDescending(a => a.DisplayName),
            _ => accounts.OrderBy(a => a.DisplayName),
        };
        return ordered.ThenBy(a => a.NormalizedUpn);
    }

    // A rule's sentence as one clause of the row's problem list.
    private static string AsClause(string sentence) => char.ToLowerInvariant(sentence[0]) + sentence[1..].TrimEnd('.');

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private IQueryable<OneTimePassword> Unseen(PortalDbContext db) => OtpService.UnseenCodes(db, time.GetUtcNow());

    private static IQueryable<Row> Project(IQueryable<ResourceAccount> accounts, IQueryable<OneTimePassword> unseen) =>
        accounts.Select(a => new Row(a.Id, a.Upn, a.DisplayName, a.RoomGroupId, a.RoomGroup != null ? a.RoomGroup.Name : null,
            a.Enabled, a.ProtectedPassword != null, a.ProvisioningStatus,
            unseen.Where(o => o.ResourceAccountId == a.Id).Select(o => (Guid?)o.BatchId).FirstOrDefault()));

    private static ResourceAccountView Finish(Row r) => new(r.Id, r.Upn, r.DisplayName, r.RoomGroupId, r.RoomGroupName, r.Enabled,
        r.HasSignInData, r.Status, ResourceAccountView.ReasonsFor(r.Enabled, r.HasSignInData, r.RoomGroupId), r.UnseenCodeRunId);

    private sealed record Row(Guid Id, string Upn, string DisplayName, Guid? RoomGroupId, string? RoomGroupName, bool Enabled,
        bool HasSignInData, ProvisioningStatus Status, Guid? UnseenCodeRunId);
}
