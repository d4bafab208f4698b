using RoomsPortal.Core.Otps;
using UglyToad.PdfPig;

namespace RoomsPortal.Web.Tests.Sheets;

/// <summary>Reads a sheets PDF back with PdfPig: each page's text and how many images it holds.</summary>
internal static class SheetPdf
{
    public static IReadOnlyList<(string Text, int Images)> Pages(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return [.. document.GetPages().Select(p => (p.Text, p.GetImages().Count()))];
    }

    /// <summary>The sheet's expiry as the PDF words it; PdfPig reads glyphs without the spaces between words.</summary>
    public static string Squeezed(string text) => text.Replace(" ", string.Empty, StringComparison.Ordinal);

    public static InstallationSheet Sheet(int room, string? code, DateTimeOffset expires) =>
        new($"Room {room}.01", $"room-{room}.01@contoso.com", code, expires);
}
