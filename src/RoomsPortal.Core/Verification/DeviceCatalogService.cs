using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Verification;

public enum CatalogError
{
    InvalidMake,
    InvalidModel,
    InvalidKeyName,

    /// <summary>The pasted text is not an ECDSA P-256 public key (<see cref="ManufacturerPublicKey.Parse"/> says why).</summary>
    InvalidKey,
    DuplicateKeyName,

    /// <summary>The same key is registered already (under another name or manufacturer).</summary>
    DuplicateKey,
    DuplicateModel,
    NotFound,
    AlreadyRevoked,
}

/// <summary>A registered key, shown by its fingerprint (the key itself never leaves Core).</summary>
public sealed record ManufacturerKeyView(Guid Id, string Make, string KeyName, string Fingerprint, bool Revoked, DateTime AddedAtUtc);

public sealed record CertifiedModelView(Guid Id, string Make, string Model, DateTime AddedAtUtc);

/// <summary>A manufacturer: its keys (several can be active while it rotates them) and its certified models.</summary>
public sealed record ManufacturerView(string Make, IReadOnlyList<ManufacturerKeyView> Keys, IReadOnlyList<CertifiedModelView> Models)
{
    /// <summary>Consoles of this make verify only while at least one key is active.</summary>
    public int ActiveKeys => Keys.Count(k => !k.Revoked);
}

/// <summary>
/// The certified-device catalog the administrator keeps: manufacturers' public keys and certified models. A
/// manufacturer is its make, as its keys and models name it (compared without case). Every change is audited in the
/// same save.
/// </summary>
public sealed class DeviceCatalogService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public const string MakeLabel = "The manufacturer";
    public const string ModelLabel = "The model";
    public const string KeyNameLabel = "The key name";
    public const int KeyNameMaxLength = 100;

    /// <summary>Every manufacturer by name, with its keys (active first) and models.</summary>
    public async Task<IReadOnlyList<ManufacturerView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = await db.Set<ManufacturerKey>().AsNoTracking().ToListAsync(ct);
        var models = await db.Set<CertifiedModel>().AsNoTracking().ToListAsync(ct);
        var makes = keys.Select(k => k.Make).Concat(models.Select(m => m.Make))
            .GroupBy(m => m, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .Order(StringComparer.OrdinalIgnoreCase);
        return [.. makes.Select(make => new ManufacturerView(
            make,
            [.. keys.Where(k => Same(k.Make, make)).OrderBy(k => k.Revoked).ThenByDescending(k => k.AddedAtUtc).Select(View)],
            [.. models.Where(m => Same(m.Make, make)).OrderBy(m => m.Model, StringComparer.OrdinalIgnoreCase).Select(View)]))];
    }

    /// <summary>
    /// Registers a manufacturer's public key, pasted as PEM or base64 SubjectPublicKeyInfo (ECDSA P-256). A manufacturer
    /// may have several active keys (rotation). Without a name the key is named after its fingerprint.
    /// </summary>
    public async Task<Result<ManufacturerKeyView, CatalogError>> AddManufacturerKeyAsync(
        string make, string? keyName, string publicKey, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        make = make?.Trim() ?? string.Empty;
        if (TextRules.CheckName(make, MakeLabel, CertifiedModel.NameMaxLength) is not null)
        {
            return CatalogError.InvalidMake;
        }

        var (key, _) = ManufacturerPublicKey.Parse(publicKey);
        if (key is null)
        {
            return CatalogError.InvalidKey;
        }

        var name = string.IsNullOrWhiteSpace(keyName) ? "key-" + key.Fingerprint.Replace(":", string.Empty, StringComparison.Ordinal)[..8] : keyName.Trim();
        if (TextRules.CheckName(name, KeyNameLabel, KeyNameMaxLength) is not null)
        {
            return CatalogError.InvalidKeyName;
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        make = await SpellingOfAsync(db, make, ct);
        var makeKey = make.ToUpperInvariant();
        var nameKey = name.ToUpperInvariant();
        if (await db.Set<ManufacturerKey>().AnyAsync(k => k.Make.ToUpper() == makeKey && k.KeyName.ToUpper() == nameKey, ct))
        {
            return CatalogError.DuplicateKeyName;
        }

        if (await db.Set<ManufacturerKey>().AnyAsync(k => k.PublicKey == key.Base64, ct))
        {
            return CatalogError.DuplicateKey;
        }

        var row = new ManufacturerKey { Id = Guid.NewGuid(), Make = make, KeyName = name, PublicKey = key.Base64, AddedAtUtc = now.UtcDateTime };
        db.Add(row);
        db.Add(AuditEntry.Create(now, actor, AuditCategory.DeviceCatalog, AuditOperations.ManufacturerKeyAdded, make,
            details: $"Key '{name}' SHA-256 {key.Fingerprint}: none -> active"));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return CatalogError.DuplicateKeyName;
        }

        return View(row);
    }

    /// <summary>Revokes a key: statements it signed no longer verify. It stays listed, so its fingerprint remains on record.</summary>
    public async Task<Result<ManufacturerKeyView, CatalogError>> RevokeKeyAsync(Guid keyId, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var row = await db.Set<ManufacturerKey>().AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, token);
            if (row is null)
            {
                return Result<ManufacturerKeyView, CatalogError>.Failure(CatalogError.NotFound);
            }

            var updated = await db.Set<ManufacturerKey>().Where(k => k.Id == keyId && !k.Revoked)
                .ExecuteUpdateAsync(k => k.SetProperty(x => x.Revoked, true), token);
            if (updated == 0)
            {
                return CatalogError.AlreadyRevoked;
            }

            var makeKey = row.Make.ToUpperInvariant();
            var left = await db.Set<ManufacturerKey>().CountAsync(k => k.Make.ToUpper() == makeKey && !k.Revoked, token);
            db.Add(AuditEntry.Create(now, actor, AuditCategory.DeviceCatalog, AuditOperations.ManufacturerKeyRevoked, row.Make,
                details: $"Key '{row.KeyName}' SHA-256 {ManufacturerPublicKey.FingerprintOf(row.PublicKey)}: active -> revoked; {left} active key(s) left"));
            await db.SaveChangesAsync(token);
            row.Revoked = true;
            return View(row);
        }, ct);
    }

    /// <summary>Adds a certified make and model (<see cref="CatalogError.DuplicateModel"/> when it is listed already).</summary>
    public async Task<Result<CertifiedModelView, CatalogError>> AddCertifiedModelAsync(string make, string model, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        make = make?.Trim() ?? string.Empty;
        model = model?.Trim() ?? string.Empty;
        if (TextRules.CheckName(make, MakeLabel, CertifiedModel.NameMaxLength) is not null)
        {
            return CatalogError.InvalidMake;
        }

        if (TextRules.CheckName(model, ModelLabel, CertifiedModel.NameMaxLength) is not null)
        {
            return CatalogError.InvalidModel;
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        make = await SpellingOfAsync(db, make, ct);
        var makeKey = make.ToUpperInvariant();
        var modelKey = model.ToUpperInvariant();
        if (await db.Set<CertifiedModel>().AnyAsync(m => m.Make.ToUpper() == makeKey && m.Model.ToUpper() == modelKey, ct))
        {
            return CatalogError.DuplicateModel;
        }

        var row = new CertifiedModel { Id = Guid.NewGuid(), Make = make, Model = model, AddedAtUtc = now.UtcDateTime };
        db.Add(row);
        db.Add(AuditEntry.Create(now, actor, AuditCategory.DeviceCatalog, AuditOperations.CertifiedModelAdded, $"{make} {model}",
            details: $"Model '{model}' of '{make}': not certified -> certified"));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return CatalogError.DuplicateModel;
        }

        return View(row);
    }

    /// <summary>Removes a model from the catalog: its consoles fail verification (<c>device_not_certified</c>) from now on.</summary>
    public async Task<Result<CertifiedModelView, CatalogError>> RemoveCertifiedModelAsync(Guid modelId, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow();
        return await dbFactory.InTransactionAsync(async (db, token) =>
        {
            var row = await db.Set<CertifiedModel>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == modelId, token);
            if (row is null || await db.Set<CertifiedModel>().Where(m => m.Id == modelId).ExecuteDeleteAsync(token) == 0)
            {
                return Result<CertifiedModelView, CatalogError>.Failure(CatalogError.NotFound);
            }

            db.Add(AuditEntry.Create(now, actor, AuditCategory.DeviceCatalog, AuditOperations.CertifiedModelRemoved, $"{row.Make} {row.Model}",
                details: $"Model '{row.Model}' of '{row.Make}': certified -> not certified"));
            await db.SaveChangesAsync(token);
            return View(row);
        }, ct);
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    // A manufacturer keeps the spelling it was first registered with, whatever case the next entry uses.
    private static async Task<string> SpellingOfAsync(PortalDbContext db, string make, CancellationToken ct)
    {
        var upper = make.ToUpperInvariant();
        return await db.Set<ManufacturerKey>().Where(k => k.Make.ToUpper() == upper).Select(k => k.Make).FirstOrDefaultAsync(ct)
            ?? await db.Set<CertifiedModel>().Where(m => m.Make.ToUpper() == upper).Select(m => m.Make).FirstOrDefaultAsync(ct)
            ?? make;
    }

    private static ManufacturerKeyView View(ManufacturerKey k) =>
        new(k.Id, k.Make, k.KeyName, ManufacturerPublicKey.FingerprintOf(k.PublicKey), k.Revoked, k.AddedAtUtc);

    private static CertifiedModelView View(CertifiedModel m) => new(m.Id, m.Make, m.Model, m.AddedAtUtc);
}
