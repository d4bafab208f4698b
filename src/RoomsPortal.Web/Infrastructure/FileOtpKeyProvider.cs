using RoomsPortal.Core.Otps;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>
/// The HMAC key for one-time passwords, kept outside the database so a dump alone cannot confirm a guessed code.
/// Taken from <c>Otp:HmacKey</c> (base64, 32 bytes or more; for hosts that hold secrets in a vault or environment),
/// else from <c>keys/otp-hmac.key</c> in the data folder, which is created with 32 random bytes on first start.
/// </summary>
public sealed class FileOtpKeyProvider : IOtpKeyProvider
{
    public const string ConfigurationKey = "Otp:HmacKey";
    public const int MinimumKeyBytes = 32;

    private readonly byte[] _key;

    public FileOtpKeyProvider(IConfiguration configuration, DataDirectory data)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(data);
        _key = configuration[ConfigurationKey] is { Length: > 0 } configured
            ? FromConfiguration(configured)
            : FromFile(KeyFilePath(data));
    }

    /// <summary>Where the key file is kept when <c>Otp:HmacKey</c> is not set.</summary>
    public static string KeyFilePath(DataDirectory data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Path.Combine(data.Path, "keys", "otp-hmac.key");
    }

    public byte[] GetKey() => _key;

    private static byte[] FromConfiguration(string value)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{ConfigurationKey} is not base64. Set it to at least {MinimumKeyBytes} random bytes in base64, e.g. the output of `openssl rand -base64 32`.");
        }

        return key.Length >= MinimumKeyBytes
            ? key
            : throw new InvalidOperationException($"{ConfigurationKey} holds {key.Length} bytes; it needs at least {MinimumKeyBytes}. Generate one with `openssl rand -base64 32`.");
    }

    private static byte[] FromFile(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            return existing.Length >= MinimumKeyBytes
                ? existing
                : throw new InvalidOperationException($"The OTP key file {path} holds {existing.Length} bytes; it needs at least {MinimumKeyBytes}. Restore it from backup (codes issued with another key stop working), or delete it to create a new one.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(MinimumKeyBytes);
        // CreateNew: if two instances start at once, the loser reads the winner's key instead of overwriting it.
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            stream.Write(key);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllBytes(path);
        }
    }
}
