namespace RoomsPortal.Core.Common;

/// <summary>Who performs an operation, as written to the audit log.</summary>
/// <param name="Id">A stable identifier: a user id, <c>console:{make}/{model}/{serial}</c>, or <c>system</c>.</param>
/// <param name="DisplayName">What people read in the audit log.</param>
/// <param name="Kind">Whether a person, a console or the portal itself acted.</param>
public sealed record Actor(string Id, string DisplayName, ActorKind Kind)
{
    /// <summary>The portal itself (background jobs, expiry).</summary>
    public static Actor System { get; } = new("system", "RoomsPortal", ActorKind.System);

    /// <summary>A console, identified by its make, model and serial number (a serial alone can belong to consoles of two makes).</summary>
    public static Actor Console(string make, string model, string serial) =>
        new($"console:{make}/{model}/{serial}", $"Console {serial} ({make} {model})", ActorKind.Console);

    /// <summary>A signed-in portal user.</summary>
    public static Actor User(string id, string displayName) => new(id, displayName, ActorKind.User);
}

/// <summary>The kinds of actor.</summary>
public enum ActorKind
{
    /// <summary>A person signed in to the portal.</summary>
    User,

    /// <summary>A console in a meeting room.</summary>
    Console,

    /// <summary>The portal itself.</summary>
    System,
}
