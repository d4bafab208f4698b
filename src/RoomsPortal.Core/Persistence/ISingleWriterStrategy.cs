namespace RoomsPortal.Core.Persistence;

/// <summary>
/// An execution strategy for a database that takes one writer at a time (SQLite). <see cref="UnitOfWork"/> waits for
/// <see cref="WriterGate"/> before a unit of work starts, so writers queue without holding a thread, instead of
/// colliding in <c>BEGIN IMMEDIATE</c> and sleeping in the driver's busy retry.
/// </summary>
public interface ISingleWriterStrategy
{
    /// <summary>One gate per database, shared by every context of the process that writes to it.</summary>
    SemaphoreSlim WriterGate { get; }
}
