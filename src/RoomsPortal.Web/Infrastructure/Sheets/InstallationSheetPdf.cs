using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Drawing.Layout;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using RoomsPortal.Core.Otps;

namespace RoomsPortal.Web.Infrastructure.Sheets;

/// <summary>
/// Renders installation sheets as an A4 PDF in memory (ADR 0007): built in the circuit from the sheets it holds and
/// handed to the browser, never written to disk. A sheet is laid out on a full A4 page; four to a page scales it by half.
/// </summary>
public static class InstallationSheetPdf
{
    private const double PageWidth = 595.28;
    private const double PageHeight = 841.89;
    private const double Margin = 48;

    private static readonly Lock _setup = new();
    private static bool _fontsReady;

    public static byte[] Render(IReadOnlyList<InstallationSheet> sheets, SheetLayout layout)
    {
        ArgumentNullException.ThrowIfNull(sheets);
        EnsureFonts();
        var fonts = new Fonts();
        using var document = new PdfDocument();
        document.Info.Title = "Installation sheets";
        var perPage = layout == SheetLayout.FourPerPage ? 4 : 1;
        for (var first = 0; first < sheets.Count; first += perPage)
        {
            var page = document.AddPage();
            page.Size = PageSize.A4;
            using var gfx = XGraphics.FromPdfPage(page);
            for (var i = 0; i < perPage && first + i < sheets.Count; i++)
            {
                var state = gfx.Save();
                if (perPage == 4)
                {
                    gfx.TranslateTransform(i % 2 * PageWidth / 2, i / 2 * PageHeight / 2);
                    gfx.ScaleTransform(0.5);
                    // A cut line around each quarter.
                    gfx.DrawRectangle(new XPen(XColors.Gray, 1.5) { DashStyle = XDashStyle.Dash }, 6, 6, PageWidth - 12, PageHeight - 12);
                }

                DrawSheet(gfx, sheets[first + i], fonts);
                gfx.Restore(state);
            }
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static void DrawSheet(XGraphics gfx, InstallationSheet sheet, Fonts fonts)
    {
        var width = PageWidth - (2 * Margin);
        var y = Margin;
        gfx.DrawString(SheetText.Title, fonts.Small, XBrushes.DimGray, new XRect(Margin, y, width, 16), XStringFormats.TopLeft);
        y += 30;
        var name = new XTextFormatter(gfx);
        name.DrawString(sheet.DisplayName, fonts.Heading, XBrushes.Black, new XRect(Margin, y, width, 64), XStringFormats.TopLeft);
        y += 68;
        gfx.DrawString(sheet.Upn, fonts.Body, XBrushes.Black, new XRect(Margin, y, width, 20), XStringFormats.TopLeft);
        y += 44;

        gfx.DrawString(SheetText.CodeLabel, fonts.Small, XBrushes.DimGray, new XRect(Margin, y, width, 16), XStringFormats.TopLeft);
        y += 20;
        if (sheet.Code is { } code)
        {
            gfx.DrawString(code, fonts.Code, XBrushes.Black, new XRect(Margin, y, width, 52), XStringFormats.TopLeft);
        }
        else
        {
            gfx.DrawString(SheetText.HandedOutSeparately, fonts.Heading, XBrushes.Black, new XRect(Margin, y, width, 52), XStringFormats.TopLeft);
        }

        y += 62;
        gfx.DrawString(SheetText.Expiry(sheet), fonts.Body, XBrushes.Black, new XRect(Margin, y, width, 20), XStringFormats.TopLeft);
        y += 40;

        if (SheetText.QrBitmap(sheet) is { } bitmap)
        {
            using var stream = new MemoryStream(bitmap, writable: false);
            using var image = XImage.FromStream(stream);
            const double size = 170;
            gfx.DrawImage(image, Margin, y, size, size);
            y += size + 24;
        }

        gfx.DrawString("On the console", fonts.BodyBold, XBrushes.Black, new XRect(Margin, y, width, 20), XStringFormats.TopLeft);
        y += 28;
        var steps = SheetText.Steps(sheet);
        var formatter = new XTextFormatter(gfx);
        for (var i = 0; i < steps.Count; i++)
        {
            gfx.DrawString($"{i + 1}.", fonts.Body, XBrushes.Black, new XRect(Margin, y, 24, 20), XStringFormats.TopLeft);
            formatter.DrawString(steps[i], fonts.Body, XBrushes.Black, new XRect(Margin + 24, y, width - 24, 44), XStringFormats.TopLeft);
            y += 48;
        }
    }

    private static void EnsureFonts()
    {
        lock (_setup)
        {
            // PDFsharp takes one resolver per process; a host that set its own keeps it (it must know DejaVu Sans).
            if (!_fontsReady && GlobalFontSettings.FontResolver is null)
            {
                GlobalFontSettings.FontResolver = new SheetFontResolver();
            }

            _fontsReady = true;
        }
    }

    private sealed class Fonts
    {
        private static readonly XPdfFontOptions _unicode = new(PdfFontEncoding.Unicode);

        public XFont Small { get; } = new(SheetFontResolver.Family, 11, XFontStyleEx.Regular, _unicode);

        public XFont Body { get; } = new(SheetFontResolver.Family, 14, XFontStyleEx.Regular, _unicode);

        public XFont BodyBold { get; } = new(SheetFontResolver.Family, 14, XFontStyleEx.Bold, _unicode);

        public XFont Heading { get; } = new(SheetFontResolver.Family, 26, XFontStyleEx.Bold, _unicode);

        public XFont Code { get; } = new(SheetFontResolver.Family, 40, XFontStyleEx.Bold, _unicode);
    }
}
