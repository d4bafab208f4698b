namespace RoomsPortal.Core.Verification;

/// <summary>What the console screen and the helpdesk page tell a technician to do after a failed verification.</summary>
public static class VerificationTroubleshooting
{
    private const string ContactMaker =
        "If the problem continues, contact the console's manufacturer or the seller you bought it from.";

    public static IReadOnlyList<string> StepsFor(VerificationFailureReason reason) => reason switch
    {
        VerificationFailureReason.VerificationInfoNotFound =>
        [
            "The device verification information couldn't be found.",
            "Connect the HDMI ingest module that came with the console, then restart the console.",
            ContactMaker,
        ],
        VerificationFailureReason.DeviceNotCertified =>
        [
            "This make and model is not a certified Teams Rooms device.",
            "Check the make and model on the console's label against the certified-device list.",
            ContactMaker,
        ],
        VerificationFailureReason.VerificationInfoInvalid =>
        [
            "The device verification information doesn't match this console.",
            "Connect the HDMI ingest module that came with this console (not one from another console), then restart the console.",
            ContactMaker,
        ],
        _ => [ContactMaker],
    };
}
