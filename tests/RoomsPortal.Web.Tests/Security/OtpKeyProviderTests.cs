using Microsoft.Extensions.Configuration;
using RoomsPortal.Web.Infrastructure;

namespace RoomsPortal.Web.Tests.Security;

public sealed class OtpKeyProviderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "roomsportal-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void First_start_creates_a_private_32_byte_key_file_and_later_starts_reuse_it()
    {
        var data = new DataDirectory(_folder);

        var first = new FileOtpKeyProvider(Config(), data).GetKey();
        var second = new FileOtpKeyProvider(Config(), data).GetKey();

        var file = Path.Combine(_folder, "keys", "otp-hmac.key");
        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.Equal(first, File.ReadAllBytes(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void A_configured_key_wins_over_the_file()
    {
        var key = Enumerable.Range(0, 48).Select(i => (byte)i).ToArray();

        var used = new FileOtpKeyProvider(Config(Convert.ToBase64String(key)), new DataDirectory(_folder)).GetKey();

        Assert.Equal(key, used);
        Assert.False(File.Exists(Path.Combine(_folder, "keys", "otp-hmac.key")));
    }

    [Theory]
    [InlineData("not base64!", "not base64")]
    [InlineData("AAECAw==", "needs at least 32")]
    public void A_bad_configured_key_stops_the_start_naming_the_setting_and_the_fix(string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new FileOtpKeyProvider(Config(value), new DataDirectory(_folder)));

        Assert.Contains(FileOtpKeyProvider.ConfigurationKey, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Config(string? key = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [FileOtpKeyProvider.ConfigurationKey] = key }).Build();
}
