using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Verification;

/// <summary>The certified-device catalog and the manufacturers' keys.</summary>
public sealed class DeviceCatalogService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>Adds a certified make and model; adding one that exists does nothing.</summary>
    public async Task AddCertifiedModelAsync(string make, string model, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(make);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        make = make.Trim();
        model = model.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var makeKey = make.ToUpperInvariant();
        var modelKey = model.ToUpperInvariant();
        if (await db.Set<CertifiedModel>().AnyAsync(m => m.Make.ToUpper() == makeKey && m.Model.ToUpper() == modelKey, ct))
        {
            return;
        }

        db.Set<CertifiedModel>().Add(new CertifiedModel { Id = Guid.NewGuid(), Make = make, Model = model, AddedAtUtc = time.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Registers a manufacturer's public key (base64 SubjectPublicKeyInfo, ECDSA P-256); an existing name is kept.</summary>
    public async Task AddManufacturerKeyAsync(string make, string keyName, string publicKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(make);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyName);
        if (!DeviceStatement.IsValidPublicKey(publicKey))
        {
            throw new ArgumentException("The key is not a base64 SubjectPublicKeyInfo of an ECDSA P-256 public key.", nameof(publicKey));
        }

        make = make.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Set<ManufacturerKey>().AnyAsync(k => k.Make == make && k.KeyName == keyName, ct))
        {
            return;
        }

        db.Set<ManufacturerKey>().Add(new ManufacturerKey
        {
            Id = Guid.NewGuid(),
            Make = make,
            KeyName = keyName,
            PublicKey = publicKey,
            AddedAtUtc = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
    }
}
