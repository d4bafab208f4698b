namespace RoomsPortal.ConsoleEmulator;

/// <summary>Lets tests host the emulator (its Program class would clash with the portal's).</summary>
public sealed class EmulatorEntryPoint
{
    public const string PortalClient = "portal";
}
