using RoomsPortal.Core.Csv;
using RoomsPortal.Core.ResourceAccounts;

namespace RoomsPortal.Core.Otps;

/// <summary>
/// Uploaded sign-in data: parsed once, then the parsed pairs travel to <see cref="OtpService.GenerateAsync(OtpBatchRequest, Common.Actor, Common.AccessScope, CancellationToken)"/>. Nothing
/// re-writes them as CSV on the way, so a password that starts with <c>= + - @</c>, a tab or a quote is stored exactly
/// as uploaded (spreadsheet escaping belongs to files made for people, never to data the portal reads back).
/// </summary>
public sealed partial class OtpService
{
    /// <summary>Parses and validates uploaded sign-in data (<c>upn,password</c>, header optional), every bad row reported.</summary>
    /// <remarks>
    /// The password field is taken as the CSV reader returns it, never trimmed. Whitespace around a UPN is not part of
    /// it (a UPN cannot hold whitespace): it is trimmed, as the account import does.
    /// </remarks>
    public static (IReadOnlyList<SignInDataRow> Rows, IReadOnlyList<CsvRowError> Errors) ParseSignInData(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (System.Text.Encoding.UTF8.GetByteCount(csv) > CsvLimits.MaxBytes)
        {
            return ([], [new CsvRowError(0, $"The file is larger than {CsvLimits.MaxBytes / 1024} KiB. Split it and upload the parts one after another.")]);
        }

        var records = CsvReader.Parse(csv, out var parseError);
        if (parseError is not null)
        {
            return ([], [parseError]);
        }

        var body = records.Count > 0 && ResourceAccountService.IsHeader(records[0], "upn") ? records.Skip(1).ToList() : [.. records];
        if (body.Count > MaxBatchSize)
        {
            return ([], [new CsvRowError(0, $"The file has {body.Count} rows; at most {MaxBatchSize} are allowed.")]);
        }

        var rows = new List<SignInDataRow>();
        var errors = new List<CsvRowError>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in body)
        {
            if (record.Fields.Count != 2)
            {
                errors.Add(new CsvRowError(record.LineNumber, $"Expected 2 fields (upn,password), found {record.Fields.Count}."));
                continue;
            }

            var upn = record.Fields[0].Trim();
            var password = record.Fields[1];
            var problems = Problems(upn, password, seen, record.LineNumber);
            if (problems.Count > 0)
            {
                errors.Add(new CsvRowError(record.LineNumber, string.Join("; ", problems) + "."));
            }
            else
            {
                rows.Add(new SignInDataRow(record.LineNumber, upn, password));
            }
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add(new CsvRowError(1, "The file has no sign-in data."));
        }

        return (rows, errors);
    }

    /// <summary>
    /// The pairs by normalized UPN, or null when one is not valid (the same rules as the upload: a caller that skipped
    /// <see cref="ParseSignInData"/> gets no looser check).
    /// </summary>
    private static Dictionary<string, string>? ValidSignInData(IReadOnlyList<SignInCredentials>? pairs)
    {
        if (pairs is null || pairs.Count == 0)
        {
            return null;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var byUpn = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Count; i++)
        {
            var (upn, password) = (pairs[i].Upn ?? string.Empty, pairs[i].Password ?? string.Empty);
            if (Problems(upn.Trim(), password, seen, i + 1).Count > 0)
            {
                return null;
            }

            byUpn[ResourceAccount.Normalize(upn)] = password;
        }

        return byUpn;
    }

    private static List<string> Problems(string upn, string password, Dictionary<string, int> seen, int line)
    {
        var problems = new List<string>();
        if (!ResourceAccountService.IsValidUpn(upn))
        {
            problems.Add("the UPN is not a valid address");
        }
        else if (seen.TryGetValue(ResourceAccount.Normalize(upn), out var first))
        {
            problems.Add($"the UPN is a duplicate of line {first}");
        }

        seen.TryAdd(ResourceAccount.Normalize(upn), line);
        if (password.Length == 0)
        {
            problems.Add("the password is empty");
        }
        else if (password.Length > ResourceAccount.PasswordMaxLength)
        {
            problems.Add($"the password is longer than {ResourceAccount.PasswordMaxLength} characters");
        }

        return problems;
    }
}
