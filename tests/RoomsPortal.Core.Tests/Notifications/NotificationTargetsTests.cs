using System.Net;
using RoomsPortal.Core.Notifications;

namespace RoomsPortal.Core.Tests.Notifications;

/// <summary>The SSRF rules channel URLs are held to when saved (the dispatcher checks resolved addresses with the same rule).</summary>
public sealed class NotificationTargetsTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.1")]
    [InlineData("192.168.0.10")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.254")]
    [InlineData("192.0.0.170")]
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::808:808")] // NAT64 of a public address: refused all the same (a gateway reaches it for us)
    [InlineData("64:ff9b:1::a00:1")] // local-use NAT64
    [InlineData("2002:a00:1::1")] // 6to4 of 10.0.0.1
    [InlineData("2002:808:808::1")]
    [InlineData("::a00:1")] // IPv4-compatible 10.0.0.1
    [InlineData("::808:808")]
    public void Internal_addresses_are_not_public(string address) => Assert.False(NotificationTargets.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("20.50.2.1")]
    [InlineData("198.20.0.1")]
    [InlineData("192.0.1.1")]
    [InlineData("2603:1020::1")]
    [InlineData("2001:4860:4860::8888")]
    public void Public_addresses_are_public(string address) => Assert.True(NotificationTargets.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://hooks.example.com/rooms?token=1", false, null)]
    [InlineData("http://hooks.example.com/rooms", false, "https://")]
    [InlineData("https://localhost/hook", false, "private network")]
    [InlineData("https://intranet/hook", false, "private network")]
    [InlineData("https://printer.local/hook", false, "private network")]
    [InlineData("https://[fe80::1]/hook", false, "private network")]
    [InlineData("https://[64:ff9b::a00:1]/hook", false, "private network")]
    [InlineData("https://198.18.0.5/hook", false, "private network")]
    [InlineData("https://user:pw@hooks.example.com/", false, "user name")]
    [InlineData("not a url", false, "full address")]
    [InlineData("http://127.0.0.1:5000/hook", true, null)]
    [InlineData("ftp://127.0.0.1/hook", true, "https://")]
    public void A_url_is_accepted_or_told_what_to_fix(string url, bool allowPrivate, string? problem)
    {
        var found = NotificationTargets.Problem(url, allowPrivate);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_shown_address_is_the_host_only_since_teams_urls_carry_their_secret_in_the_path_or_query()
    {
        Assert.Equal("https://contoso.webhook.office.com/…", NotificationTargets.Display(new Uri("https://contoso.webhook.office.com/workflows/abc?sig=SECRET")));
        Assert.Equal("https://contoso.webhook.office.com/…", NotificationTargets.Display(
            new Uri("https://contoso.webhook.office.com/webhookb2/1111@2222/IncomingWebhook/SECRETPART/3333")));
        Assert.Equal("https://hooks.example.com", NotificationTargets.Display(new Uri("https://hooks.example.com/")));
    }

    [Fact]
    public void Records_that_carry_a_target_or_a_secret_print_neither()
    {
        const string url = "https://contoso.webhook.office.com/webhookb2/1111@2222/IncomingWebhook/SECRETPART/3333?sig=QUERYSECRET";
        const string secret = "whsec_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
        var item = new DispatchItem(7, Guid.NewGuid(), NotificationChannelKind.Teams, "Desk", url, secret, 1, Guid.NewGuid(),
            NotificationEventTypes.RequestPending, DateTimeOffset.UnixEpoch, null, null, "{}", 0);
        var view = new NotificationChannelView(Guid.NewGuid(), NotificationChannelKind.Webhook, "Desk", "https://contoso.webhook.office.com/…", null,
            [NotificationEventTypes.RequestPending], true, null, 0, "Ada", DateTimeOffset.UnixEpoch, null, null, null);
        var printed = new[]
        {
            item.ToString(),
            new CreatedChannel(view, secret).ToString(),
            new NewNotificationChannel(NotificationChannelKind.Teams, "Desk", url, null, [NotificationEventTypes.RequestPending]).ToString(),
            $"{item with { Attempts = 1 }}",
        };

        Assert.All(printed, text =>
        {
            Assert.DoesNotContain("SECRETPART", text, StringComparison.Ordinal);
            Assert.DoesNotContain("QUERYSECRET", text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        });
        Assert.Contains("https://contoso.webhook.office.com/…", printed[0], StringComparison.Ordinal);
        Assert.Contains("Secret = ***", printed[1], StringComparison.Ordinal);
    }
}
