using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RoomsPortal.Core.Notifications;

/// <summary>
/// Wakes this node's dispatcher as soon as a unit of work that wrote outbox deliveries has committed, so an event goes
/// out at once instead of at the next poll. Raised by <see cref="NotificationOutboxInterceptor"/> after the commit,
/// never before (the dispatcher would find nothing, or a row that may still roll back). Raises while nobody waits are
/// kept as one. Rows another node wrote are found by the poll (<see cref="NotificationOptions.PollInterval"/>), the fallback.
/// </summary>
public sealed class NotificationOutboxSignal
{
    private readonly Lock _gate = new();
    private bool _raised;
    private TaskCompletionSource? _waiter;

    /// <summary>Whether a raise is waiting to be taken.</summary>
    public bool IsRaised
    {
        get
        {
            lock (_gate)
            {
                return _raised;
            }
        }
    }

    /// <summary>Whether a dispatcher is waiting for a raise or its poll interval now (tests wait for it before committing).</summary>
    public bool HasWaiter
    {
        get
        {
            lock (_gate)
            {
                return _waiter is not null;
            }
        }
    }

    /// <summary>Wakes the waiting dispatcher, or the next wait when none waits now.</summary>
    public void Raise()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = _waiter;
            _waiter = null;
            _raised = waiter is null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>
    /// Waits for a raise, or <paramref name="timeout"/> on <paramref name="time"/>; true when raised (a raise that came
    /// while nobody waited ends the wait at once). One waiter at a time: each node has one dispatcher.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_raised)
            {
                _raised = false;
                return true;
            }

            _waiter = waiter;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var elapsed = Task.Delay(timeout, time, stop.Token);
        if (await Task.WhenAny(waiter.Task, elapsed) == waiter.Task)
        {
            await stop.CancelAsync();
            return true;
        }

        lock (_gate)
        {
            if (ReferenceEquals(_waiter, waiter))
            {
                _waiter = null;
            }
        }

        ct.ThrowIfCancellationRequested();
        // A raise that came between the timeout and taking the waiter back was handed to this wait: it counts.
        return waiter.Task.IsCompleted;
    }
}

/// <summary>
/// Raises <see cref="NotificationOutboxSignal"/> when a context that added <see cref="NotificationDelivery"/> rows
/// commits them: after the transaction's commit (units of work), or after SaveChanges when no transaction was open
/// (SaveChanges commits itself). A rollback or failure forgets them. Registered on every portal context by the host.
/// The portal pools its contexts: a context given back with its transaction still open (a unit of work that threw)
/// keeps its mark into its next lease, whose next commit then wakes the dispatcher once for nothing (it finds no
/// due row and sleeps again); a mark is never lost that way.
/// </summary>
public sealed class NotificationOutboxInterceptor(NotificationOutboxSignal signal) : DbTransactionInterceptor, ISaveChangesInterceptor
{
    private static readonly object Pending = new();
    private readonly ConditionalWeakTable<DbContext, object> _pending = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData?.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData?.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SavedOutsideTransaction(eventData?.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SavedOutsideTransaction(eventData?.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData?.Context is { } context && context.Database.CurrentTransaction is null)
        {
            _pending.Remove(context);
        }
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
    {
        Committed(eventData?.Context);
        base.TransactionCommitted(transaction, eventData!);
    }

    public override Task TransactionCommittedAsync(
        System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData?.Context);
        return base.TransactionCommittedAsync(transaction, eventData!, cancellationToken);
    }

    public override void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
    {
        Forget(eventData?.Context);
        base.TransactionRolledBack(transaction, eventData!);
    }

    public override Task TransactionRolledBackAsync(
        System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData?.Context);
        return base.TransactionRolledBackAsync(transaction, eventData!, cancellationToken);
    }

    public override void TransactionFailed(System.Data.Common.DbTransaction transaction, TransactionErrorEventData eventData)
    {
        Forget(eventData?.Context);
        base.TransactionFailed(transaction, eventData!);
    }

    public override Task TransactionFailedAsync(
        System.Data.Common.DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData?.Context);
        return base.TransactionFailedAsync(transaction, eventData!, cancellationToken);
    }

    /// <summary>
    /// Remembers a context about to save added deliveries. It reads the tracked entries as they stand, without
    /// <c>DetectChanges</c>: SaveChanges runs that walk of every tracked entity itself right after, and a second one
    /// here cost 7-14 ms on a save of 1,000-20,000 entities (an OTP batch) and something on every redemption.
    /// Deliveries are added with <c>Add</c> (<see cref="NotificationOutbox"/>), so their state is known without it; one
    /// reachable only through a navigation would be sent at the next poll instead of at once.
    /// </summary>
    private void Note(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            if (tracker.Entries<NotificationDelivery>().Any(e => e.State == EntityState.Added))
            {
                _pending.AddOrUpdate(context, Pending);
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    private void SavedOutsideTransaction(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null && _pending.Remove(context))
        {
            signal.Raise();
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
        {
            signal.Raise();
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }
}
