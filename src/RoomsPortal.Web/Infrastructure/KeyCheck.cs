using Microsoft.Extensions.Options;
using RoomsPortal.Core.Installation;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>Settings for the start-up check that the keys match the database.</summary>
public sealed class KeysOptions
{
    public const string Section = "Keys";

    /// <summary>
    /// Acknowledges a deliberate key rotation: a start whose keys do not match the database records the new
    /// fingerprints (audited) instead of refusing to start. Remove it again after that start.
    /// </summary>
    public bool AcceptNewKeys { get; set; }
}

internal static partial class KeyCheck
{
    /// <summary>
    /// Refuses to start when the OTP key or the Data Protection key ring is not the one the database was written with,
    /// naming what to restore; records the fingerprints at first start.
    /// </summary>
    public static async Task VerifyKeysMatchDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<KeysOptions>>().Value;
        var result = await app.Services.GetRequiredService<KeyFingerprintService>().CheckAsync(options.AcceptNewKeys);
        if (result.MustStop)
        {
            var data = app.Services.GetRequiredService<DataDirectory>();
            throw new InvalidOperationException(MismatchMessage(result.Mismatched, data, app.Configuration));
        }

        if (result.Accepted)
        {
            LogAccepted(app.Logger, string.Join(", ", result.Mismatched));
        }
    }

    private static string MismatchMessage(IReadOnlyList<PortalKey> mismatched, DataDirectory data, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(mismatched);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(configuration);
        var keys = Path.Combine(data.Path, "keys") + Path.DirectorySeparatorChar;
        var restore = mismatched.Select(key => key switch
        {
            PortalKey.DataProtection =>
                $"Data Protection key ring: restore the folder {keys} (its key-*.xml files) from backup.",
            PortalKey.OtpHmacKey when configuration[FileOtpKeyProvider.ConfigurationKey] is { Length: > 0 } =>
                $"OTP key: set {FileOtpKeyProvider.ConfigurationKey} back to the value this database was used with.",
            PortalKey.OtpHmacKey =>
                $"OTP key: restore {FileOtpKeyProvider.KeyFilePath(data)} from backup, or set {FileOtpKeyProvider.ConfigurationKey} to the key this database was used with.",
            _ => $"{key}.",
        });
        return "The keys this portal started with are not the ones its database was written with, so outstanding one-time "
            + "passwords and stored sign-in data would be refused. "
            + string.Join(" ", restore)
            + $" If you replaced the keys on purpose, start once with {KeysOptions.Section}:{nameof(KeysOptions.AcceptNewKeys)}=true "
            + $"(environment: {KeysOptions.Section}__{nameof(KeysOptions.AcceptNewKeys)}=true): the new keys are recorded and audited, "
            + "and codes issued and secrets stored with the old keys stop working.";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keys:AcceptNewKeys: new keys accepted for {Keys}; codes and secrets made with the old keys no longer work. Remove the setting.")]
    private static partial void LogAccepted(ILogger logger, string keys);
}
