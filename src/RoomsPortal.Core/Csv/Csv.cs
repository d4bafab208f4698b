using System.Text;

namespace RoomsPortal.Core.Csv;

/// <summary>One record of a CSV file and the line it starts on (1-based, header is line 1).</summary>
public sealed record CsvRecord(int LineNumber, IReadOnlyList<string> Fields);

/// <summary>What is wrong with one row of an uploaded file.</summary>
public sealed record CsvRowError(int LineNumber, string Message);

/// <summary>Size limits of an uploaded CSV file.</summary>
public static class CsvLimits
{
    public const int MaxRows = 5000;
    public const int MaxBytes = 1024 * 1024;
}

/// <summary>A small RFC 4180 reader: quoted fields, doubled quotes, embedded commas and line breaks.</summary>
public static class CsvReader
{
    /// <summary>Parses <paramref name="text"/>; on malformed input returns the line of the problem in <paramref name="error"/>.</summary>
    public static IReadOnlyList<CsvRecord> Parse(string text, out CsvRowError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        var quotedField = false;
        var i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            i = 1;
        }

        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0 && !quotedField:
                    inQuotes = true;
                    quotedField = true;
                    break;
                case '"':
                    error = new CsvRowError(line, "A quote appears inside an unquoted field. Put the whole field in double quotes and double any quote inside it (\"\").");
                    return records;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    quotedField = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    quotedField = false;
                    AddRecord(records, recordLine, fields);
                    fields = [];
                    line++;
                    recordLine = line;
                    break;
                default:
                    if (quotedField)
                    {
                        error = new CsvRowError(line, "Text follows a closing quote. Put the whole field in double quotes and double any quote inside it (\"\").");
                        return records;
                    }

                    field.Append(c);
                    break;
            }
        }

        if (inQuotes)
        {
            error = new CsvRowError(recordLine, "A quoted field is not closed: add the closing double quote.");
            return records;
        }

        if (field.Length > 0 || fields.Count > 0 || quotedField)
        {
            fields.Add(field.ToString());
            AddRecord(records, recordLine, fields);
        }

        return records;
    }

    private static void AddRecord(List<CsvRecord> records, int line, List<string> fields)
    {
        // Blank lines carry nothing; skipping them keeps trailing newlines harmless.
        if (fields.Count == 1 && fields[0].Length == 0)
        {
            return;
        }

        records.Add(new CsvRecord(line, [.. fields]));
    }
}

/// <summary>
/// Writes RFC 4180 CSV. Cells a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading
/// apostrophe, so an exported file cannot carry a formula injection.
/// </summary>
public sealed class CsvWriter
{
    private readonly StringBuilder _text = new();

    public CsvWriter WriteRow(params IEnumerable<string?> cells)
    {
        _text.Append(Row(cells));
        return this;
    }

    /// <summary>One row, escaped as <see cref="WriteRow"/> writes it and ended by CRLF: for exports streamed row by row.</summary>
    public static string Row(params IEnumerable<string?> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return string.Join(',', cells.Select(Escape)) + "\r\n";
    }

    public override string ToString() => _text.ToString();

    public static string Escape(string? cell)
    {
        var value = cell ?? string.Empty;
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
