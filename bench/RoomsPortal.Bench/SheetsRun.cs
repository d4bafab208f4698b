using System.Diagnostics;
using System.Globalization;
using RoomsPortal.Core.Otps;
using RoomsPortal.Web.Infrastructure.Sheets;

namespace RoomsPortal.Bench;

/// <summary>
/// <c>--sheets N</c>: builds the installation sheets PDF for N rooms in this process, as the wizard's circuit does
/// (fresh codes, one A4 page per room), first cold (font load, JIT) and then warm. Prints both times and the size.
/// </summary>
internal static class SheetsRun
{
    public static async Task<int> RunAsync(int count)
    {
        var load = (await File.ReadAllTextAsync("/proc/loadavg")).Trim();
        var expires = DateTimeOffset.UtcNow.AddHours(8);
        var sheets = Enumerable.Range(1, count)
            .Select(i => new InstallationSheet($"Room {i:0000}", $"room-{i:0000}@contoso.example", OtpCode.Generate(), expires))
            .ToList();
        var first = Time(() => InstallationSheetPdf.Render(sheets, SheetLayout.OnePerPage));
        var warm = Time(() => InstallationSheetPdf.Render(sheets, SheetLayout.OnePerPage));
        var four = Time(() => InstallationSheetPdf.Render(sheets, SheetLayout.FourPerPage));
        var loadAtEnd = (await File.ReadAllTextAsync("/proc/loadavg")).Trim();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            load average at the start: {load}
            installation sheets for {count} rooms, one per page, first build: {first.Ms} ms ({first.Bytes / 1024} KiB)
            the same again, warm: {warm.Ms} ms
            four per page, warm: {four.Ms} ms ({four.Bytes / 1024} KiB)
            load average at the end: {loadAtEnd}
            """));
        return 0;
    }

    private static (long Ms, int Bytes) Time(Func<byte[]> build)
    {
        var clock = Stopwatch.StartNew();
        var pdf = build();
        return (clock.ElapsedMilliseconds, pdf.Length);
    }
}
