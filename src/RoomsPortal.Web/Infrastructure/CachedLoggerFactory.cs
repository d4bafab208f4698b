using System.Collections.Concurrent;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>
/// One logger per category, built once. Serilog's <c>AddSerilog</c> registers a factory that builds a new logger on
/// every <see cref="CreateLogger"/> call (a Serilog context logger and an event-id cache each time), and the framework
/// asks per connection and per request: SignalR and the WebSocket transport for each hub connection, every
/// authentication handler for each request. A heap of the portal with 2,700 consoles waiting held 14,773 of them
/// (about 2.8 KB a console). This wraps that factory and keeps what it built; disposing it disposes Serilog's factory,
/// which flushes and closes the sinks.
/// </summary>
internal sealed class CachedLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, inner.CreateLogger);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    /// <summary>Wraps the <see cref="ILoggerFactory"/> registered last (Serilog's) in one that caches by category.</summary>
    public static void Wrap(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory));
        if (registered?.ImplementationFactory is not { } build)
        {
            throw new InvalidOperationException(
                "Serilog's logger factory was expected as a factory registration; a package upgrade changed how AddSerilog registers it.");
        }

        services.Remove(registered);
        services.AddSingleton<ILoggerFactory>(sp => new CachedLoggerFactory((ILoggerFactory)build(sp)));
    }
}
