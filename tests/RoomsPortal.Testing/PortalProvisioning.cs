using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Testing;

/// <summary>What an IT admin does before and while consoles set up, done through the portal's own Core services.</summary>
public sealed class PortalProvisioning(IServiceProvider services)
{
    public static readonly Actor Admin = Actor.User("test-admin", "Test Admin");

    /// <summary>Creates a room group (if new) and an enabled account in it with the given password.</summary>
    public async Task<Guid> CreateAccountAsync(string upn, string password = "Room-Pass-1234!", string roomGroup = "Building 4", CancellationToken ct = default)
    {
        var groups = services.GetRequiredService<RoomGroupService>();
        if ((await groups.ListAsync(AccessScope.All, ct)).All(g => g.Name != roomGroup))
        {
            var created = await groups.CreateAsync(roomGroup, Admin, ct);
            Check(created.Succeeded, $"room group: {created.Error}");
        }

        var import = await services.GetRequiredService<ResourceAccountService>().ImportAsync(
            $"upn,display name,room group,password\n{upn},Room {upn},{roomGroup},{password}\n", Admin, AccessScope.All, ct);
        Check(import.Errors.Count == 0, string.Join("; ", import.Errors.Select(e => $"line {e.LineNumber}: {e.Message}")));
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var normalized = upn.ToUpperInvariant();
        return await db.Set<ResourceAccount>().Where(a => a.NormalizedUpn == normalized).Select(a => a.Id).SingleAsync(ct);
    }

    /// <summary>Runs the Generate OTP wizard for one account, keeping its password.</summary>
    public async Task<IssuedOtp> IssueOtpAsync(Guid accountId, string upn, string password = "Room-Pass-1234!", CancellationToken ct = default)
    {
        var batch = await services.GetRequiredService<OtpService>().GenerateAsync(
            new OtpBatchRequest([accountId], OtpPasswordMode.UploadedSignInData, [new SignInCredentials(upn, password)]), Admin, AccessScope.All, ct);
        Check(batch.Succeeded, $"OTP: {batch.Error}");
        return batch.Value!.Items.Single();
    }

    /// <summary>
    /// A Generate OTP wizard run that issued codes for the accounts and stopped before it showed them (the circuit was
    /// killed): the codes are "issued but never shown". Returns the run's id.
    /// </summary>
    public async Task<Guid> AbandonedRunAsync(IReadOnlyList<Guid> accountIds, CancellationToken ct = default)
    {
        var otps = services.GetRequiredService<OtpService>();
        var runId = await otps.StartRunAsync(accountIds.Count, OtpPasswordMode.GeneratePasswords, Admin, ct);
        var chunk = await otps.GenerateAsync(new OtpBatchRequest(accountIds, OtpPasswordMode.GeneratePasswords, RunId: runId), Admin, AccessScope.All, ct);
        Check(chunk.Succeeded, $"run: {chunk.Error}");
        Check(await otps.AbandonRunAsync(runId, Admin, ct), "run: not abandoned");
        return runId;
    }

    /// <summary>Turns tenant-wide auto approval on or off, and sets the OTP validity.</summary>
    public async Task SetPreferencesAsync(bool autoApproval, int validityHours = 8, CancellationToken ct = default)
    {
        var preferences = services.GetRequiredService<PreferencesService>();
        var current = await preferences.GetAsync(ct);
        var updated = await preferences.UpdateAsync(current with { AutoApproval = autoApproval, OtpValidityHours = validityHours }, Admin, ct);
        Check(updated.Succeeded, $"preferences: {updated.Error}");
    }

    public async Task ApproveAsync(Guid requestId, CancellationToken ct = default)
    {
        var decided = await services.GetRequiredService<ApprovalService>().ApproveAsync(requestId, Admin, AccessScope.All, ct);
        Check(decided.Succeeded, $"approve: {decided.Error}");
    }

    public async Task RejectAsync(Guid requestId, RejectReason reason, string? note, CancellationToken ct = default)
    {
        var decided = await services.GetRequiredService<ApprovalService>().RejectAsync(requestId, reason, note, Admin, AccessScope.All, ct);
        Check(decided.Succeeded, $"reject: {decided.Error}");
    }

    /// <summary>The one pending approval request (waits for none: the caller knows a console redeemed).</summary>
    public async Task<Guid> PendingRequestIdAsync(CancellationToken ct = default)
    {
        var page = await services.GetRequiredService<ApprovalService>().ListAsync(new ApprovalQuery(Status: ApprovalStatus.Pending), AccessScope.All, ct);
        return page.Items.Single().Id;
    }

    /// <summary>The serial of the one console in the inventory.</summary>
    public async Task<string> InventorySerialAsync(CancellationToken ct = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        return await db.Set<Device>().Select(d => d.Serial).SingleAsync(ct);
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("Test set-up failed: " + what);
        }
    }
}
