using Microsoft.Extensions.Options;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Notifications;

/// <summary>Notification settings that would let two nodes send one delivery stop the portal at start, naming the keys.</summary>
public sealed class NotificationStartupTests
{
    [Fact]
    public async Task Start_fails_naming_both_keys_when_the_lease_is_not_longer_than_the_smtp_send_timeout()
    {
        await using var portal = new PortalFactory()
            .WithSetting("Notifications:Smtp:Host", "mail.contoso.example")
            .WithSetting("Notifications:Smtp:From", "roomsportal@contoso.example")
            .WithSetting("Notifications:Smtp:SendTimeout", "00:03:00")
            .WithSetting("Notifications:LeaseDuration", "00:02:00");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => portal.CreateClient());

        Assert.Contains("Notifications:LeaseDuration", error.Message, StringComparison.Ordinal);
        Assert.Contains("Notifications:Smtp:SendTimeout", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Notifications:OutboxRetention", "00:30:00")]
    [InlineData("Notifications:LeaseDuration", "00:00:05")]
    public async Task Start_fails_naming_the_key_of_a_notification_setting_out_of_range(string key, string value)
    {
        await using var portal = new PortalFactory().WithSetting(key, value);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => portal.CreateClient());

        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }
}
