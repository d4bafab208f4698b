using System.ComponentModel.DataAnnotations;

namespace RoomsPortal.ConsoleEmulator;

/// <summary>Which portal the emulated consoles talk to, and the demo manufacturer they come from.</summary>
public sealed class EmulatorOptions
{
    public const string Section = "Emulator";

    [Required(ErrorMessage = "Emulator:PortalAddress is required: set it to the portal's address, e.g. http://localhost:5088/.")]
    [Url(ErrorMessage = "Emulator:PortalAddress must be an absolute http(s) address.")]
    public string PortalAddress { get; set; } = "";

    [Required(ErrorMessage = "Emulator:Make is required.")]
    public string Make { get; set; } = "Contoso";

    [Required(ErrorMessage = "Emulator:CertifiedModel is required.")]
    public string CertifiedModel { get; set; } = "RoomConsole 10";

    [Required(ErrorMessage = "Emulator:UncertifiedModel is required.")]
    public string UncertifiedModel { get; set; } = "RoomConsole Prototype";

    /// <summary>Base64 PKCS#8 of the demo manufacturer's ECDSA P-256 key, used to sign demo consoles' statements.</summary>
    [Required(ErrorMessage = "Emulator:ManufacturerPrivateKey is required: the Development settings carry the demo key.")]
    public string ManufacturerPrivateKey { get; set; } = "";
}
