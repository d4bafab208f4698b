using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Core.Preferences;

/// <summary>Allowed values of the preferences.</summary>
public static class PreferenceLimits
{
    public const int DefaultOtpValidityHours = 8;
    public const int MinOtpValidityHours = 1;
    public const int MaxOtpValidityHours = 336;
    public const int MaxPreRegisteredDevices = 10_000;
}

/// <summary>A room group's auto-approval setting.</summary>
public enum AutoApprovalOverride
{
    Inherit,
    On,
    Off,
}

/// <summary>The preferences as the Preferences page shows and edits them.</summary>
/// <param name="OtpValidityHours">1..336 hours, fixed on each OTP when it is generated.</param>
/// <param name="AutoApproval">Tenant-wide OTP auto approval.</param>
/// <param name="RoomGroupOverrides">Room groups that do not inherit the tenant setting (true: on, false: off).</param>
/// <param name="PreRegisteredSerials">Console serials approved automatically even when auto approval is off.</param>
public sealed record ProvisioningPreferences(
    int OtpValidityHours,
    bool AutoApproval,
    IReadOnlyDictionary<Guid, bool> RoomGroupOverrides,
    IReadOnlyList<string> PreRegisteredSerials);

public enum PreferencesError
{
    InvalidValidity,
    UnknownRoomGroup,
    InvalidSerial,
}

/// <summary>Reads and changes the provisioning preferences. Every change is audited.</summary>
public sealed class PreferencesService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public async Task<ProvisioningPreferences> GetAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ReadAsync(db, ct);
    }

    public async Task<Result<ProvisioningPreferences, PreferencesError>> UpdateAsync(
        ProvisioningPreferences update, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(actor);
        if (update.OtpValidityHours is < PreferenceLimits.MinOtpValidityHours or > PreferenceLimits.MaxOtpValidityHours)
        {
            return PreferencesError.InvalidValidity;
        }

        var serials = update.PreRegisteredSerials.Select(s => s is null ? string.Empty : DeviceInfo.NormalizeSerial(s))
            .Distinct(StringComparer.Ordinal).ToList();
        if (serials.Count > PreferenceLimits.MaxPreRegisteredDevices
            || serials.Any(s => s.Length is 0 or > Verification.DeviceLimits.SerialMaxLength || s.Any(char.IsControl)))
        {
            return PreferencesError.InvalidSerial;
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var groupIds = update.RoomGroupOverrides.Keys.ToList();
        var known = await db.Set<RoomGroup>().CountAsync(g => groupIds.Contains(g.Id), ct);
        if (known != groupIds.Count)
        {
            return PreferencesError.UnknownRoomGroup;
        }

        var before = await ReadAsync(db, ct);
        var tenant = await db.Set<TenantPreferences>().FirstOrDefaultAsync(ct);
        if (tenant is null)
        {
            tenant = new TenantPreferences();
            db.Add(tenant);
        }

        tenant.OtpValidityHours = update.OtpValidityHours;
        tenant.AutoApproval = update.AutoApproval;
        tenant.UpdatedAt = now;

        var overrides = await db.Set<RoomGroupApprovalOverride>().ToDictionaryAsync(o => o.RoomGroupId, ct);
        db.Set<RoomGroupApprovalOverride>().RemoveRange(overrides.Values.Where(o => !update.RoomGroupOverrides.ContainsKey(o.RoomGroupId)));
        foreach (var (groupId, autoApproval) in update.RoomGroupOverrides)
        {
            if (overrides.TryGetValue(groupId, out var row))
            {
                row.AutoApproval = autoApproval;
            }
            else
            {
                db.Add(new RoomGroupApprovalOverride { RoomGroupId = groupId, AutoApproval = autoApproval });
            }
        }
        // Sets: the list may hold thousands of serials on both sides.
        var wanted = serials.ToHashSet(StringComparer.Ordinal);
        var existing = await db.Set<PreRegisteredDevice>().ToListAsync(ct);
        var existingKeys = existing.Select(d => d.SerialKey).ToHashSet(StringComparer.Ordinal);
        db.Set<PreRegisteredDevice>().RemoveRange(existing.Where(d => !wanted.Contains(d.SerialKey)));
        db.Set<PreRegisteredDevice>().AddRange(serials.Where(s => !existingKeys.Contains(s))
            .Select(s => new PreRegisteredDevice { SerialKey = s, AddedAt = now }));

        db.Add(AuditEntry.Create(now, actor, AuditCategory.Preferences, AuditOperations.PreferencesUpdated, "Preferences",
            details: Describe(before, update, serials.Count)));
        await db.SaveChangesAsync(ct);
        return await ReadAsync(db, ct);
    }

    /// <summary>Whether a redemption by <paramref name="serialKey"/> in <paramref name="roomGroupId"/> is approved at once.</summary>
    internal static async Task<bool> IsAutoApprovedAsync(PortalDbContext db, Guid? roomGroupId, string serialKey, CancellationToken ct)
    {
        if (await PreRegisteredQuery(db, serialKey, ct))
        {
            return true;
        }

        if (roomGroupId is { } groupId && await GroupOverrideQuery(db, groupId, ct) is { } value)
        {
            return value;
        }

        return await TenantAutoApprovalQuery(db, ct);
    }

    // Every redemption asks (compiled once: the console path does not rebuild these expressions per call).
    private static readonly Func<PortalDbContext, string, CancellationToken, Task<bool>> PreRegisteredQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string serialKey, CancellationToken ct) =>
            db.Set<PreRegisteredDevice>().Any(d => d.SerialKey == serialKey));

    private static readonly Func<PortalDbContext, Guid, CancellationToken, Task<bool?>> GroupOverrideQuery =
        EF.CompileAsyncQuery((PortalDbContext db, Guid groupId, CancellationToken ct) =>
            db.Set<RoomGroupApprovalOverride>().Where(o => o.RoomGroupId == groupId).Select(o => (bool?)o.AutoApproval).FirstOrDefault());

    private static readonly Func<PortalDbContext, CancellationToken, Task<bool>> TenantAutoApprovalQuery =
        EF.CompileAsyncQuery((PortalDbContext db, CancellationToken ct) => db.Set<TenantPreferences>().Select(p => p.AutoApproval).FirstOrDefault());

    internal static async Task<int> ValidityHoursAsync(PortalDbContext db, CancellationToken ct) =>
        await db.Set<TenantPreferences>().Select(p => (int?)p.OtpValidityHours).FirstOrDefaultAsync(ct)
            ?? PreferenceLimits.DefaultOtpValidityHours;

    private static async Task<ProvisioningPreferences> ReadAsync(PortalDbContext db, CancellationToken ct)
    {
        var row = await db.Set<TenantPreferences>().AsNoTracking().FirstOrDefaultAsync(ct);
        var overrides = await db.Set<RoomGroupApprovalOverride>().AsNoTracking().ToDictionaryAsync(o => o.RoomGroupId, o => o.AutoApproval, ct);
        var serials = await db.Set<PreRegisteredDevice>().AsNoTracking().OrderBy(d => d.SerialKey).Select(d => d.SerialKey).ToListAsync(ct);
        return new ProvisioningPreferences(
            row?.OtpValidityHours ?? PreferenceLimits.DefaultOtpValidityHours, row?.AutoApproval ?? false, overrides, serials);
    }

    private static string Describe(ProvisioningPreferences before, ProvisioningPreferences after, int serialCount) =>
        $"OTP validity {before.OtpValidityHours} h -> {after.OtpValidityHours} h; auto approval {before.AutoApproval} -> {after.AutoApproval}; "
        + $"room group overrides {before.RoomGroupOverrides.Count} -> {after.RoomGroupOverrides.Count}; "
        + $"pre-registered devices {before.PreRegisteredSerials.Count} -> {serialCount}";
}
