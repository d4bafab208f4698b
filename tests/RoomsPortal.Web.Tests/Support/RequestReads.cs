using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RoomsPortal.Web.Tests.Support;

/// <summary>
/// Counts the commands that name one request id among their parameters, or a table in their text, during a call: the
/// portal's loops and timers read other rows meanwhile. It can also hold the next command naming a request until the
/// caller's token ends, as a slow database would, or run an action between the next such read and what follows it.
/// </summary>
internal sealed class RequestReads : DbCommandInterceptor
{
    private readonly Lock _gate = new();
    private Guid? _requestId;
    private string? _table;
    private int _count;
    private Guid? _hold;
    private TaskCompletionSource? _held;
    private Guid? _after;
    private Func<Task>? _afterRead;

    /// <summary>The commands run during <paramref name="action"/> that name <paramref name="requestId"/> or, if given, <paramref name="table"/>.</summary>
    public async Task<int> CountNamingAsync(Guid requestId, Func<Task> action, string? table = null)
    {
        lock (_gate)
        {
            (_requestId, _table, _count) = (requestId, table, 0);
        }

        try
        {
            await action();
        }
        finally
        {
            lock (_gate)
            {
                (_requestId, _table) = (null, null);
            }
        }

        lock (_gate)
        {
            return _count;
        }
    }

    /// <summary>
    /// The next command naming <paramref name="requestId"/> waits until its own token is cancelled; the task completes
    /// when that command is waiting.
    /// </summary>
    public Task HoldNextAsync(Guid requestId)
    {
        lock (_gate)
        {
            _hold = requestId;
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _held.Task;
        }
    }

    /// <summary>
    /// Once the next command naming <paramref name="requestId"/> has read its rows, <paramref name="action"/> runs
    /// before that command's caller goes on: a change that lands just after a read, on a busy machine.
    /// </summary>
    public void AfterNextRead(Guid requestId, Func<Task> action)
    {
        lock (_gate)
        {
            (_after, _afterRead) = (requestId, action);
        }
    }

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Func<Task>? action = null;
        lock (_gate)
        {
            if (_after is { } after && Names(command, after))
            {
                (_after, action, _afterRead) = (null, _afterRead, null);
            }
        }

        if (action is not null)
        {
            // SQLite has stepped the statement to its first row (its snapshot is taken): the action's change, committed
            // meanwhile in WAL mode, is not in what the caller reads.
            await action();
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource? held = null;
        lock (_gate)
        {
            if (_requestId is { } id && (Names(command, id) || (_table is { } table && command.CommandText.Contains(table, StringComparison.Ordinal))))
            {
                _count++;
            }

            if (_hold is { } hold && Names(command, hold))
            {
                (_hold, held, _held) = (null, _held, null);
            }
        }

        if (held is not null)
        {
            held.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return result;
    }

    private static bool Names(DbCommand command, Guid id) =>
        command.Parameters.Cast<DbParameter>().Any(p =>
            p.Value is Guid guid ? guid == id : string.Equals(p.Value?.ToString(), id.ToString(), StringComparison.OrdinalIgnoreCase));
}
