namespace RoomsPortal.ConsoleClient;

/// <summary>The console this client speaks for.</summary>
/// <param name="Make">Manufacturer.</param>
/// <param name="Model">Model name.</param>
/// <param name="SerialNumber">Serial number.</param>
/// <param name="FirmwareVersion">Firmware version, if known.</param>
/// <param name="VerificationInfo">What the HDMI ingest module carries; null when no module is connected.</param>
public sealed record ConsoleDevice(string Make, string Model, string SerialNumber, string? FirmwareVersion, string? VerificationInfo);
