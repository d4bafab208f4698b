using Microsoft.EntityFrameworkCore;

namespace RoomsPortal.Core.Persistence;

/// <summary>
/// The one way a Core operation opens a transaction. SQL Server and PostgreSQL run with retrying execution strategies
/// (<c>EnableRetryOnFailure</c>), and EF Core refuses a transaction the caller opens outside the strategy; here the
/// strategy owns the whole attempt: a fresh change tracker, the transaction, the work and the commit. On a transient
/// failure the strategy runs the delegate again, so the delegate must touch nothing outside the database (no events,
/// pushes or emails) and must read what it needs inside itself. Publish events after this returns, once. On SQLite,
/// units of work on one file take turns in the process (<see cref="SqliteWriters"/>) before they begin.
/// </summary>
public static class UnitOfWork
{
    /// <summary>
    /// Runs <paramref name="work"/> in one transaction inside the provider's execution strategy and commits it, unless
    /// the work rolled the transaction back itself (<c>db.Database.RollbackTransactionAsync</c>) to discard what it wrote.
    /// An exception from the work rolls everything back and propagates (transient ones are retried by the strategy).
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(
        this IDbContextFactory<PortalDbContext> factory,
        Func<PortalDbContext, CancellationToken, Task<T>> work,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(work);
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.InTransactionAsync(work, ct);
    }

    /// <summary>
    /// As above, on a context the caller already holds: for work done through a library that owns its calls to the
    /// context, such as ASP.NET Core Identity's <c>UserManager</c> over the scoped <see cref="PortalDbContext"/>, so its
    /// writes and the caller's audit entry commit together. The retried work must start again from the database (the
    /// change tracker is cleared before each attempt) and re-read everything through the library.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(
        this PortalDbContext db,
        Func<PortalDbContext, CancellationToken, Task<T>> work,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(work);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            (Db: db, Work: work),
            static async (_, state, token) =>
            {
                // A retried attempt starts from what the database holds, not from the failed attempt's entities.
                state.Db.ChangeTracker.Clear();
                await using var writer = await SqliteWriters.EnterAsync(state.Db, token);
                await using var transaction = await state.Db.Database.BeginTransactionAsync(token);
                var result = await state.Work(state.Db, token);
                if (state.Db.Database.CurrentTransaction is not null)
                {
                    await transaction.CommitAsync(token);
                }

                return result;
            },
            verifySucceeded: null,
            ct);
    }
}
