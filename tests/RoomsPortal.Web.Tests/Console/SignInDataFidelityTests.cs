using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Otps;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// Uploaded sign-in data reaches consoles byte for byte: a password that starts like a spreadsheet formula or with a
/// quote works for manual setup and is what an approved console receives. Production, empty database, real SDK.
/// </summary>
public sealed class SignInDataFidelityTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new PortalFactory().InProduction().UseRealPort();
    private readonly TestManufacturer _contoso = new();
    private readonly List<IDisposable> _disposables = [];
    private PortalProvisioning _admin = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _contoso.RegisterAsync(_portal.Services, Ct);
        _admin = new PortalProvisioning(_portal.Services);
        await _admin.SetPreferencesAsync(autoApproval: true, ct: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _contoso.Dispose();
        await _portal.DisposeAsync();
    }

    [Theory]
    [InlineData("=cmd|' /C calc'!A0")]
    [InlineData("@SUM(1+1)*cmd")]
    [InlineData("\t-Leading-Tab")]
    [InlineData("\"Quoted\" start, with comma")]
    public async Task A_password_uploaded_as_sign_in_data_signs_a_console_in_exactly_as_typed(string password)
    {
        var manualUpn = "manual-4.12@contoso.com";
        var otpUpn = "=otp-4.14@contoso.com";
        var manualAccount = await _admin.CreateAccountAsync(manualUpn, ct: Ct);
        var otpAccount = await _admin.CreateAccountAsync(otpUpn, ct: Ct);
        var file = $"upn,password\r\n{manualUpn},{Field(password)}\r\n{otpUpn},{Field(password)}\r\n";
        var (rows, errors) = OtpService.ParseSignInData(file);
        Assert.Empty(errors);

        var batch = await _portal.Services.GetRequiredService<OtpService>().GenerateAsync(
            new OtpBatchRequest([manualAccount, otpAccount], OtpPasswordMode.UploadedSignInData, [.. rows.Select(r => r.Credentials)]),
            PortalProvisioning.Admin, AccessScope.All, Ct);

        Assert.True(batch.Succeeded, batch.Error.ToString());
        var manual = await (await ReadyConsoleAsync("SN-MANUAL-1")).ManualSetupAsync(manualUpn, password, Ct);
        Assert.Equal(manualUpn, manual.AccountUpn);
        var console = await ReadyConsoleAsync("SN-OTP-1");
        var redeemed = await console.RedeemOtpAsync(batch.Value!.Items.Single(i => i.Upn == otpUpn).Code, Ct);
        var signIn = await console.ClaimSignInDataAsync(redeemed.RequestId, Ct);
        Assert.Equal((otpUpn, password), (signIn.Upn, signIn.Password));
    }

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private async Task<ConsoleSetupClient> ReadyConsoleAsync(string serial)
    {
        var http = new HttpClient { BaseAddress = _portal.ServerAddress };
        _disposables.Add(http);
        var console = new ConsoleSetupClient(http, _contoso.Console(serial));
        await console.VerifyDeviceAsync(Ct);
        await console.AcceptAgreementAsync("2026-01", Ct);
        return console;
    }
}
