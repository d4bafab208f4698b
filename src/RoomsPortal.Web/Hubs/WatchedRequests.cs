using System.Collections.Concurrent;

namespace RoomsPortal.Web.Hubs;

/// <summary>
/// The requests that consoles connected to this node watch (<see cref="ConsoleHub.Watch"/>), so that
/// <see cref="ConsoleStatusPublisher"/> reads the database and pushes only for a request someone here can receive.
/// A request that was just redeemed has no watcher yet (the console learns its id from the redeem answer), and each
/// node pushes to its own connections only (Redis carries the events, not the pushes), so a request watched on
/// another node is that node's to push.
/// </summary>
public sealed class WatchedRequests
{
    private readonly ConcurrentDictionary<Guid, int> _watchers = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, byte>> _byConnection = new(StringComparer.Ordinal);

    public bool IsWatched(Guid requestId) => _watchers.ContainsKey(requestId);

    /// <summary>The connection joined the request's group.</summary>
    public void Add(string connectionId, Guid requestId)
    {
        if (_byConnection.GetOrAdd(connectionId, _ => new()).TryAdd(requestId, 0))
        {
            _watchers.AddOrUpdate(requestId, 1, (_, count) => count + 1);
        }
    }

    /// <summary>True when the connection watches the request (it was let in by <see cref="ConsoleHub.Watch"/>).</summary>
    public bool Watches(string connectionId, Guid requestId) =>
        _byConnection.TryGetValue(connectionId, out var requests) && requests.ContainsKey(requestId);

    /// <summary>The connection left the request's group (<see cref="ConsoleHub.Unwatch"/>); false when it did not watch it.</summary>
    public bool Remove(string connectionId, Guid requestId)
    {
        if (_byConnection.TryGetValue(connectionId, out var requests) && requests.TryRemove(requestId, out _))
        {
            Forget(requestId);
            return true;
        }

        return false;
    }

    /// <summary>The connection closed: it watches nothing any more.</summary>
    public void Remove(string connectionId)
    {
        if (!_byConnection.TryRemove(connectionId, out var requests))
        {
            return;
        }

        foreach (var requestId in requests.Keys)
        {
            Forget(requestId);
        }
    }

    /// <summary>One watcher fewer for the request.</summary>
    private void Forget(Guid requestId)
    {
        while (_watchers.TryGetValue(requestId, out var count))
        {
            if (count <= 1 ? _watchers.TryRemove(new KeyValuePair<Guid, int>(requestId, count)) : _watchers.TryUpdate(requestId, count - 1, count))
            {
                break;
            }
        }
    }
}
