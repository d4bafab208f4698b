using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace RoomsPortal.Core.Persistence;

/// <summary>
/// Saves a unit of work's many similar rows quickly on SQLite. EF Core sends SQLite one command per added or changed
/// row, each planned and materialised anew (a 10,000-code batch is about 30,000 of them); here a group of at least
/// <see cref="Threshold"/> rows of one entity type and state goes through one reused command, with EF's own column
/// names, type mappings and value converters, in the unit of work's transaction. Whatever is left (and everything on
/// other providers, which batch by themselves) goes through <c>SaveChangesAsync</c>. The rows written here are
/// detached from the change tracker: callers use this as the unit of work's last write.
/// </summary>
public static class BulkRows
{
    /// <summary>Below this many rows of a kind, EF's own path is as fast and keeps the entities tracked.</summary>
    public const int Threshold = 64;

    /// <summary>Writes the tracked changes; on SQLite inside a transaction, large groups of rows in bulk.</summary>
    public static async Task<int> SaveChangesAsync(DbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.ProviderName != PortalDbContext.SqliteProviderName || db.Database.CurrentTransaction is not { } transaction)
        {
            return await db.SaveChangesAsync(ct);
        }

        db.ChangeTracker.DetectChanges();
        var groups = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified)
            .GroupBy(e => (Type: e.Metadata, e.State, Columns: e.State == EntityState.Modified ? ModifiedNames(e) : ""))
            .Where(g => g.Count() >= Threshold && IsPlainTable(g.Key.Type) && g.All(e => !HasTemporaryValues(e)))
            .Select(g => g.ToList())
            .ToList();
        var written = 0;
        if (groups.Count > 0)
        {
            var sql = db.GetService<ISqlGenerationHelper>();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            // The rows of a group may point at rows of a later group or at rows EF writes below: check at the commit.
            command.CommandText = "PRAGMA defer_foreign_keys = ON;";
            await command.ExecuteNonQueryAsync(ct);
            foreach (var group in groups)
            {
                written += group[0].State == EntityState.Added
                    ? await InsertAsync(command, sql, group, ct)
                    : await UpdateAsync(command, sql, group, ct);
                foreach (var entry in group)
                {
                    entry.State = EntityState.Detached;
                }
            }
        }

        return written + await db.SaveChangesAsync(ct);
    }

    private static async Task<int> InsertAsync(DbCommand command, ISqlGenerationHelper sql, List<EntityEntry> rows, CancellationToken ct)
    {
        var (table, columns) = Columns(rows[0].Metadata, rows[0].Metadata.GetProperties());
        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Name)))}) "
            + $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))});";
        foreach (var row in rows)
        {
            Bind(command, row, columns);
            await command.ExecuteNonQueryAsync(ct);
        }

        return rows.Count;
    }

    private static async Task<int> UpdateAsync(DbCommand command, ISqlGenerationHelper sql, List<EntityEntry> rows, CancellationToken ct)
    {
        var type = rows[0].Metadata;
        var key = type.FindPrimaryKey()!.Properties;
        var changed = rows[0].Properties.Where(p => p.IsModified).Select(p => p.Metadata).ToList();
        var (table, columns) = Columns(type, [.. changed, .. key]);
        var set = string.Join(", ", columns.Take(changed.Count).Select((c, i) => $"{sql.DelimitIdentifier(c.Name)} = @p{i}"));
        var where = string.Join(" AND ", columns.Skip(changed.Count).Select((c, i) => $"{sql.DelimitIdentifier(c.Name)} = @p{changed.Count + i}"));
        command.CommandText = $"UPDATE {sql.DelimitIdentifier(table.Name)} SET {set} WHERE {where};";
        foreach (var row in rows)
        {
            Bind(command, row, columns);
            if (await command.ExecuteNonQueryAsync(ct) != 1)
            {
                throw new DbUpdateConcurrencyException($"A {type.ClrType.Name} row changed or went away during the unit of work.");
            }
        }

        return rows.Count;
    }

    private static void Bind(DbCommand command, EntityEntry row, List<(string Name, IProperty Property)> columns)
    {
        command.Parameters.Clear();
        for (var i = 0; i < columns.Count; i++)
        {
            var property = columns[i].Property;
            var mapping = property.GetRelationalTypeMapping();
            // The mapping converts the value as EF would (UTC ticks for dates on SQLite, enum names, ...).
            command.Parameters.Add(mapping.CreateParameter(command, "@p" + i, row.Property(property.Name).CurrentValue, property.IsNullable));
        }
    }

    private static (StoreObjectIdentifier Table, List<(string Name, IProperty Property)> Columns) Columns(IEntityType type, IEnumerable<IProperty> properties)
    {
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        return (table, [.. properties.Select(p => (Name: p.GetColumnName(table)!, Property: p)).Where(c => c.Name is not null)]);
    }

    private static string ModifiedNames(EntityEntry entry) =>
        string.Join(",", entry.Properties.Where(p => p.IsModified).Select(p => p.Metadata.Name));

    /// <summary>One table, no inheritance, no owned parts, no values the database makes, no concurrency tokens.</summary>
    private static bool IsPlainTable(IEntityType type) =>
        type.GetTableName() is not null
        && type.GetSchema() is null
        && type.BaseType is null
        && !type.GetDerivedTypes().Any()
        && !type.IsOwned()
        && !type.GetNavigations().Any(n => n.TargetEntityType.IsOwned())
        && !type.GetProperties().Any(p => p.IsConcurrencyToken || p.GetDefaultValueSql() is not null || p.GetComputedColumnSql() is not null);

    private static bool HasTemporaryValues(EntityEntry entry) => entry.Properties.Any(p => p.IsTemporary);
}
