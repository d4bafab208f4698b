using PdfSharp.Fonts;

namespace RoomsPortal.Web.Infrastructure.Sheets;

/// <summary>
/// PDFsharp finds no system fonts on Linux, so the sheets use the DejaVu Sans file shipped inside this assembly
/// (Fonts/, with its licence). Every family and style resolves to it; bold is simulated.
/// </summary>
internal sealed class SheetFontResolver : IFontResolver
{
    public const string Family = "DejaVu Sans";

    private const string Face = "DejaVuSans";

    private static readonly Lazy<byte[]> _font = new(() =>
    {
        using var stream = typeof(SheetFontResolver).Assembly.GetManifestResourceStream("RoomsPortal.Web.Sheets.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("The sheet font DejaVuSans.ttf is not embedded in RoomsPortal.Web.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(Face, mustSimulateBold: bold, mustSimulateItalic: italic);

    public byte[] GetFont(string faceName) => _font.Value;
}
