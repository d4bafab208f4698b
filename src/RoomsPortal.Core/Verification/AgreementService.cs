using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Verification;

/// <summary>The end user agreement a console's user accepts before the console sets up an account.</summary>
/// <param name="Version">A short label of this text (at most <see cref="VersionMaxLength"/> characters).</param>
/// <param name="Text">The agreement as the console shows it (plain text, paragraphs separated by blank lines).</param>
public sealed record EndUserAgreement(string Version, string Text)
{
    public const int VersionMaxLength = 32;

    /// <summary>A version a console may send: present, at most <see cref="VersionMaxLength"/> characters, no control or format characters.</summary>
    public static bool IsValidVersion(string? version) =>
        !string.IsNullOrWhiteSpace(version) && version.Length <= VersionMaxLength && !ProtocolText.HasControlOrFormatCharacters(version);
}

public enum AcceptAgreementError
{
    /// <summary>Empty, too long, or with control or format characters.</summary>
    InvalidVersion,

    /// <summary>Not the current agreement's version: the console showed an old (or made-up) text.</summary>
    VersionMismatch,

    /// <summary>The credential is gone (expired or replaced) since the call was authenticated.</summary>
    CredentialNotFound,
}

/// <summary>
/// The current end user agreement and its acceptance by consoles. Until an admin page edits agreements, the current
/// one is <see cref="BuiltIn"/>; <see cref="GetCurrentAsync"/> is where a stored agreement will be read.
/// </summary>
public sealed class AgreementService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>The agreement every portal starts with.</summary>
    public static EndUserAgreement BuiltIn { get; } = new(
        "2026-01",
        "Microsoft Teams Rooms on this console\n\n"
        + "This console will sign in to Microsoft Teams with a resource account of your organization. "
        + "By continuing you confirm that you are authorized by your organization's IT department to set up this console, "
        + "and that the console will be used in line with your organization's policies.\n\n"
        + "The portal records this console's make, model, serial number, firmware version and network address, "
        + "and the time you accepted this agreement, for your IT department.");

    /// <summary>The agreement consoles must accept now.</summary>
    public Task<EndUserAgreement> GetCurrentAsync(CancellationToken ct = default) => Task.FromResult(BuiltIn);

    /// <summary>True when <paramref name="acceptedVersion"/> is the current agreement's version.</summary>
    public async Task<bool> IsCurrentAsync(string? acceptedVersion, CancellationToken ct = default) =>
        acceptedVersion is not null && string.Equals(acceptedVersion, (await GetCurrentAsync(ct)).Version, StringComparison.Ordinal);

    /// <summary>
    /// Records that the user of the console holding credential <paramref name="sessionId"/> accepted
    /// <paramref name="version"/>, which must be the current agreement's. Later credentials of the same console carry it over.
    /// </summary>
    public async Task<Result<EndUserAgreement, AcceptAgreementError>> AcceptAsync(Guid sessionId, string? version, CancellationToken ct = default)
    {
        if (!EndUserAgreement.IsValidVersion(version))
        {
            return AcceptAgreementError.InvalidVersion;
        }

        var current = await GetCurrentAsync(ct);
        if (!string.Equals(version!.Trim(), current.Version, StringComparison.Ordinal))
        {
            return AcceptAgreementError.VersionMismatch;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var updated = await db.Set<ConsoleSession>()
            .Where(s => s.Id == sessionId && s.RevokedAtUtc == null && s.ExpiresAtUtc > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.AgreementVersion, current.Version).SetProperty(x => x.AgreementAcceptedAtUtc, now), ct);
        return updated == 0 ? AcceptAgreementError.CredentialNotFound : current;
    }
}
