using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Audit;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Startup;

/// <summary>The portal refuses to start on a database whose keys it does not hold, and says what to restore.</summary>
public sealed class KeyFingerprintTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_without_the_keys_folder_fails_naming_it_and_AcceptNewKeys_starts_and_audits_the_rotation()
    {
        string dataDirectory;
        await using (var first = new PortalFactory().KeepData())
        {
            dataDirectory = first.DataDirectory;
            await AssertReadyAsync(first);
        }

        var keys = Path.Combine(dataDirectory, "keys");
        Assert.True(Directory.Exists(keys));
        Directory.Delete(keys, recursive: true);

        await using (var lostKeys = new PortalFactory(dataDirectory).KeepData())
        {
            var error = Assert.ThrowsAny<InvalidOperationException>(() => lostKeys.CreateClient());

            Assert.Contains(keys + Path.DirectorySeparatorChar, error.Message, StringComparison.Ordinal);
            Assert.Contains("Data Protection key ring", error.Message, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(keys, "otp-hmac.key"), error.Message, StringComparison.Ordinal);
            Assert.Contains("Keys:AcceptNewKeys=true", error.Message, StringComparison.Ordinal);
        }

        await using (var rotated = new PortalFactory(dataDirectory).KeepData().WithSetting("Keys:AcceptNewKeys", "true"))
        {
            await AssertReadyAsync(rotated);
            var audit = await rotated.Services.GetRequiredService<AuditService>()
                .QueryAsync(new AuditQuery(Category: AuditCategory.Security), Ct);
            var entry = Assert.Single(audit.Items, e => e.Operation == AuditOperations.KeysReplaced);
            Assert.Equal("system", entry.ActorId);
            Assert.Contains("OtpHmacKey", entry.Target, StringComparison.Ordinal);
            Assert.Contains("DataProtection", entry.Target, StringComparison.Ordinal);
        }

        // The new keys are now the recorded ones: a plain start works again, and nothing more is audited.
        await using var after = new PortalFactory(dataDirectory);
        await AssertReadyAsync(after);
        var entries = await after.Services.GetRequiredService<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.Security), Ct);
        Assert.Single(entries.Items, e => e.Operation == AuditOperations.KeysReplaced);
    }

    [Fact]
    public async Task A_changed_Otp_HmacKey_setting_fails_the_start_naming_the_setting_only()
    {
        string dataDirectory;
        await using (var first = new PortalFactory().KeepData().WithSetting("Otp:HmacKey", Key(1)))
        {
            dataDirectory = first.DataDirectory;
            await AssertReadyAsync(first);
        }

        await using var changed = new PortalFactory(dataDirectory).WithSetting("Otp:HmacKey", Key(2));

        var error = Assert.ThrowsAny<InvalidOperationException>(() => changed.CreateClient());

        Assert.Contains("set Otp:HmacKey back to the value this database was used with", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Data Protection", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key(2), error.Message, StringComparison.Ordinal);
    }

    private static async Task AssertReadyAsync(PortalFactory portal)
    {
        using var client = portal.CreateClient();
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Key(byte fill) => Convert.ToBase64String(Enumerable.Repeat(fill, 32).ToArray());
}
