using RoomsPortal.Core.Otps;
using RoomsPortal.Web.Infrastructure.Sheets;
using static RoomsPortal.Web.Tests.Sheets.SheetPdf;

namespace RoomsPortal.Web.Tests.Sheets;

public sealed class InstallationSheetPdfTests
{
    private static readonly DateTimeOffset Expires = new(2026, 11, 2, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void One_per_page_puts_each_rooms_code_expiry_and_qr_image_on_its_own_page()
    {
        InstallationSheet[] sheets = [Sheet(1, "BCDF-GHJK-LMNP", Expires), Sheet(2, "QRST-VWXZ-BCDF", Expires), Sheet(3, "GHJK-LMNP-QRST", Expires.AddHours(1))];

        var pages = Pages(InstallationSheetPdf.Render(sheets, SheetLayout.OnePerPage));

        Assert.Equal(3, pages.Count);
        for (var i = 0; i < sheets.Length; i++)
        {
            var text = Squeezed(pages[i].Text);
            Assert.Contains(sheets[i].Code!, text, StringComparison.Ordinal);
            Assert.Contains(Squeezed(SheetText.Expiry(sheets[i])), text, StringComparison.Ordinal);
            Assert.Contains(Squeezed(sheets[i].DisplayName), text, StringComparison.Ordinal);
            Assert.Contains("Getstarted", text, StringComparison.Ordinal);
            Assert.Contains("Enduseragreement", text, StringComparison.Ordinal);
            Assert.Contains("OnSetupaccount", text, StringComparison.Ordinal);
            Assert.Equal(1, pages[i].Images);
            foreach (var other in sheets.Where((_, j) => j != i))
            {
                Assert.DoesNotContain(other.Code!, text, StringComparison.Ordinal);
            }
        }

        Assert.Contains("2026-11-0217:00UTC", Squeezed(pages[0].Text), StringComparison.Ordinal);
        Assert.Contains("2026-11-0218:00UTC", Squeezed(pages[2].Text), StringComparison.Ordinal);
    }

    [Fact]
    public void Four_per_page_fits_four_rooms_on_an_a4_page()
    {
        var sheets = Enumerable.Range(1, 5).Select(i => Sheet(i, $"BCDF-GHJK-LM{OtpCode.Alphabet[i]}{OtpCode.Alphabet[i + 1]}", Expires)).ToList();

        var pages = Pages(InstallationSheetPdf.Render(sheets, SheetLayout.FourPerPage));

        Assert.Equal(2, pages.Count);
        Assert.All(sheets.Take(4), s => Assert.Contains(s.Code!, pages[0].Text, StringComparison.Ordinal));
        Assert.Contains(sheets[4].Code!, pages[1].Text, StringComparison.Ordinal);
        Assert.Equal((4, 1), (pages[0].Images, pages[1].Images));
    }

    [Fact]
    public void Sheets_without_codes_say_the_code_is_handed_out_separately_and_carry_no_qr()
    {
        InstallationSheet[] sheets = [Sheet(1, null, Expires), Sheet(2, null, Expires)];

        var pages = Pages(InstallationSheetPdf.Render(sheets, SheetLayout.OnePerPage));

        Assert.Equal(2, pages.Count);
        Assert.All(pages, p =>
        {
            Assert.Contains("Codehandedoutseparately", Squeezed(p.Text), StringComparison.Ordinal);
            Assert.Contains("2026-11-0217:00UTC", Squeezed(p.Text), StringComparison.Ordinal);
            Assert.Equal(0, p.Images);
        });
    }
}
