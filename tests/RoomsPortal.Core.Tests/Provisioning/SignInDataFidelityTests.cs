using RoomsPortal.Core.Common;
using RoomsPortal.Core.Csv;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Provisioning;

/// <summary>
/// Uploaded sign-in data is kept byte for byte: what a spreadsheet would run as a formula (<c>= + - @</c>, tab) and
/// quotes reach the database unchanged, and only the file made for people escapes them.
/// </summary>
public sealed class SignInDataFidelityTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("=")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("@")]
    [InlineData("\t")]
    [InlineData("\"")]
    [InlineData("'")]
    public async Task A_password_starting_with_a_formula_character_or_a_quote_is_stored_exactly_and_signs_a_console_in(string first)
    {
        var password = first + "SUM(1,2)\"-Pass 7";
        var account = (await _h.AccountsAsync(await _h.GroupAsync("HQ"), "lobby@contoso.com"))[0];

        var issued = await UploadAndGenerateAsync(account.Id, Csv(["upn", "password"], [account.Upn, password]));

        Assert.Equal(password, issued.Password);
        Assert.Equal(password, _h.Protector.Unprotect((await _h.AccountRowAsync(account.Id)).ProtectedPassword!));
        var manual = await _h.ManualSetup.ManualSignInAsync(account.Upn, password, Console1, "10.0.0.7", Ct);
        Assert.True(manual.Succeeded, manual.Error.ToString());
    }

    [Theory]
    [InlineData("=")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("\"")]
    [InlineData("'")]
    public async Task An_account_whose_upn_starts_with_a_formula_character_or_a_quote_can_use_uploaded_sign_in_data(string first)
    {
        var upn = first == "\"" ? "\"lobby\"@contoso.com" : first + "lobby@contoso.com";
        var password = first + "Kept-Pass-1";
        await _h.GroupAsync("HQ");
        var import = await _h.Accounts.ImportAsync(Csv(["upn", "display name", "room group", "password"], [upn, "Lobby", "HQ", ""]), Admin, AccessScope.All, Ct);
        Assert.True(import.Succeeded, string.Join("; ", import.Errors));
        var account = (await _h.Accounts.ListAsync(new ResourceAccountQuery(), AccessScope.All, Ct)).Items.Single();
        Assert.Equal(upn, account.Upn);

        var issued = await UploadAndGenerateAsync(account.Id, Csv(["upn", "password"], [upn, password]));

        Assert.Equal((upn, password), (issued.Upn, issued.Password));
        Assert.Equal(password, _h.Protector.Unprotect((await _h.AccountRowAsync(account.Id)).ProtectedPassword!));
        var manual = await _h.ManualSetup.ManualSignInAsync(upn, password, Console1, "10.0.0.7", Ct);
        Assert.True(manual.Succeeded, manual.Error.ToString());
    }

    [Fact]
    public void A_upn_cannot_start_with_at_and_whitespace_around_a_upn_is_not_part_of_it()
    {
        var (rows, errors) = OtpService.ParseSignInData(Csv(["upn", "password"], ["@lobby@contoso.com", "@Pass-1"], ["\tboardroom@contoso.com", "\tPass-2"]));

        var error = Assert.Single(errors);
        Assert.Equal((2, "the UPN is not a valid address."), (error.LineNumber, error.Message));
        var row = Assert.Single(rows);
        Assert.Equal(("boardroom@contoso.com", "\tPass-2"), (row.Upn, row.Password));
    }

    [Fact]
    public async Task The_file_for_people_escapes_formulas_but_the_stored_passwords_do_not_change()
    {
        var group = await _h.GroupAsync("HQ");
        var accounts = await _h.AccountsAsync(group, "a@contoso.com", "b@contoso.com", "c@contoso.com");
        var passwords = new[] { "=HYPERLINK(\"http://x\")", "@Pass-2", "'Pass-3" };
        var (rows, errors) = OtpService.ParseSignInData(Csv(["upn", "password"],
            [accounts[0].Upn, passwords[0]], [accounts[1].Upn, passwords[1]], [accounts[2].Upn, passwords[2]]));
        Assert.Empty(errors);

        var batch = await _h.Otps.GenerateAsync(
            new OtpBatchRequest([.. accounts.Select(a => a.Id)], OtpPasswordMode.UploadedSignInData, [.. rows.Select(r => r.Credentials)]), Admin, AccessScope.All, Ct);

        var export = CsvReader.Parse(batch.Value!.ToCsv(includePasswords: true), out _).Skip(1).ToDictionary(r => r.Fields[0], r => r.Fields[4]);
        Assert.Equal("'" + passwords[0], export["a@contoso.com"]);
        Assert.Equal("'" + passwords[1], export["b@contoso.com"]);
        Assert.Equal(passwords[2], export["c@contoso.com"]);
        for (var i = 0; i < accounts.Count; i++)
        {
            Assert.Equal(passwords[i], _h.Protector.Unprotect((await _h.AccountRowAsync(accounts[i].Id)).ProtectedPassword!));
        }
    }

    [Fact]
    public void Sign_in_data_rows_and_pairs_keep_the_password_out_of_their_string_form()
    {
        var (rows, _) = OtpService.ParseSignInData("lobby@contoso.com,Secret-Pass-1\n");

        Assert.DoesNotContain("Secret-Pass-1", rows[0] + " " + rows[0].Credentials, StringComparison.Ordinal);
    }

    private async Task<IssuedOtp> UploadAndGenerateAsync(Guid accountId, string uploadedCsv)
    {
        var (rows, errors) = OtpService.ParseSignInData(uploadedCsv);
        Assert.Empty(errors);
        var result = await _h.Otps.GenerateAsync(
            new OtpBatchRequest([accountId], OtpPasswordMode.UploadedSignInData, [.. rows.Select(r => r.Credentials)]), Admin, AccessScope.All, Ct);
        Assert.True(result.Succeeded, result.Error.ToString());
        return Assert.Single(result.Value!.Items);
    }

    /// <summary>An RFC 4180 file as a person's tool writes it: quoted where needed, nothing else added.</summary>
    private static string Csv(params string[][] rows) =>
        string.Concat(rows.Select(r => string.Join(',', r.Select(Field)) + "\r\n"));

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
