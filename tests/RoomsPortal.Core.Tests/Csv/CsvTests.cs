using RoomsPortal.Core.Csv;

namespace RoomsPortal.Core.Tests.Csv;

public sealed class CsvTests
{
    [Fact]
    public void Reader_handles_quotes_embedded_commas_and_line_breaks_with_line_numbers()
    {
        var records = CsvReader.Parse("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n\nlast,1", out var error);

        Assert.Null(error);
        Assert.Equal([1, 2, 3, 6], records.Select(r => r.LineNumber));
        Assert.Equal(["x, y", "say \"hi\""], records[1].Fields);
        Assert.Equal(["two\nlines", "z"], records[2].Fields);
    }

    [Theory]
    [InlineData("a,\"open\nb,c", 1)]
    [InlineData("a,b\nc,d\"e", 2)]
    [InlineData("a,b\n\"c\"d,e", 2)]
    public void Reader_reports_malformed_quotes_with_their_line(string text, int line)
    {
        CsvReader.Parse(text, out var error);

        Assert.Equal(line, error?.LineNumber);
    }

    [Theory]
    [InlineData("=SUM(A1:A2)", "'=SUM(A1:A2)")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("=a,\"b\"", "\"'=a,\"\"b\"\"\"")]
    [InlineData("plain", "plain")]
    public void Writer_quotes_and_defuses_formulas(string cell, string expected) =>
        Assert.Equal(expected, CsvWriter.Escape(cell));

    [Fact]
    public void Writer_output_reads_back_the_same()
    {
        string[] row = ["multi\nline", "comma, here", "quote \"q\""];
        var text = new CsvWriter().WriteRow(row).ToString();

        var records = CsvReader.Parse(text, out var error);

        Assert.Null(error);
        Assert.Equal(row, Assert.Single(records).Fields);
    }
}
