using System.Globalization;
using QRCoder;
using RoomsPortal.Core.Otps;

namespace RoomsPortal.Web.Infrastructure.Sheets;

/// <summary>What a sheet says, shared by the PDF and the print view so both read the same.</summary>
public static class SheetText
{
    public const string Title = "Microsoft Teams Rooms: console set-up";

    public const string CodeLabel = "One-time password";

    public const string HandedOutSeparately = "Code handed out separately";

    /// <summary>The expiry in UTC, named as such: the technician may be in another time zone than the admin.</summary>
    public static string Expiry(InstallationSheet sheet)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        return $"Valid until {sheet.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC";
    }

    /// <summary>The console's set-up screens, in order.</summary>
    public static IReadOnlyList<string> Steps(InstallationSheet sheet)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        return
        [
            "Turn the console on and select Get started.",
            "Read the End user agreement and select Accept.",
            sheet.Code is null
                ? "On Set up account, enter the one-time password you were given separately for this room."
                : "On Set up account, enter the one-time password above (or scan its QR code) and select Next.",
            $"Wait while an admin approves the console: it then signs in as {sheet.Upn} by itself.",
        ];
    }

    /// <summary>The code as a QR code (PNG, for the print view), for consoles with a scanner; null when the sheet has no code.</summary>
    public static byte[]? QrPng(InstallationSheet sheet, int pixelsPerModule = 8) =>
        Qr(sheet, data => new PngByteQRCode(data).GetGraphic(pixelsPerModule));

    /// <summary>The same QR code as a BMP: PDFsharp's image import reads BMP, not QRCoder's 1-bit PNG.</summary>
    public static byte[]? QrBitmap(InstallationSheet sheet, int pixelsPerModule = 8) =>
        Qr(sheet, data => new BitmapByteQRCode(data).GetGraphic(pixelsPerModule));

    private static byte[]? Qr(InstallationSheet sheet, Func<QRCodeData, byte[]> render)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        if (sheet.Code is null)
        {
            return null;
        }

        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(sheet.Code, QRCodeGenerator.ECCLevel.M);
        return render(data);
    }
}
