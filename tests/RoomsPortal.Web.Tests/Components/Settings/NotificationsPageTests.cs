using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Web.Components.Pages.Settings;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Components.ResourceAccounts;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components.Settings;

public sealed class NotificationsPageTests : AccountPageContext
{
    private Uri? _portalUrl = new("https://portal.example.com/");

    // Read when the page first asks for the options, so a test can change it before rendering.
    public NotificationsPageTests()
    {
        Services.Configure<NotificationOptions>(o => o.PortalUrl = _portalUrl);
        Services.AddLocalUsers();
    }

    [Fact]
    public async Task A_webhook_is_added_with_its_secret_shown_once_tested_from_the_page_and_every_change_audited()
    {
        var cut = RenderPage<NotificationSettings>();
        cut.WaitForElement("[data-testid=no-channels]");
        Assert.Empty(cut.FindAll("[data-testid=portal-url-missing]"));

        cut.Find("[data-testid=channel-name]").Change("Service desk");
        cut.Find("[data-testid=channel-url]").Change("https://hooks.example.com/rooms?token=abc");
        cut.Find("[data-testid=add-channel]").Click();

        cut.WaitForAssertion(() => Assert.Contains("whsec_", cut.Find("[data-testid=channel-secret]").TextContent, StringComparison.Ordinal));
        var secret = cut.Find("[data-testid=channel-secret] code").TextContent;
        var row = cut.Find("[data-testid=channel-row]");
        Assert.Contains("https://hooks.example.com/…", row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("/rooms", row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("token=abc", cut.Markup, StringComparison.Ordinal);

        cut.Find("[data-testid=test-channel]").Click();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=delivery-row]")));
        cut.Find("[data-testid=rotate-secret]").Click();
        cut.WaitForAssertion(() => Assert.NotEqual(secret, cut.Find("[data-testid=channel-secret] code").TextContent));
        cut.Find("[data-testid=toggle-channel]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Disabled", cut.Find("[data-testid=channel-status]").TextContent, StringComparison.Ordinal));
        cut.Find("[data-testid=delete-channel]").Click();
        cut.WaitForElement("[data-testid=no-channels]");

        var audit = (await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.Notifications), Ct)).Items;
        Assert.Equal(
            new[] { AuditOperations.ChannelCreated, AuditOperations.ChannelTested, AuditOperations.ChannelSecretRotated, AuditOperations.ChannelDisabled, AuditOperations.ChannelDeleted }.Order(),
            audit.Select(e => e.Operation).Order());
        Assert.All(audit, e => Assert.Equal("Channel Service desk", e.Target));
    }

    [Fact]
    public void A_private_address_is_refused_with_what_to_fix()
    {
        var cut = RenderPage<NotificationSettings>();
        cut.WaitForElement("[data-testid=no-channels]");
        cut.Find("[data-testid=channel-name]").Change("Lab");
        cut.Find("[data-testid=channel-url]").Change("https://192.168.1.20/hook");
        cut.Find("[data-testid=add-channel]").Click();

        cut.WaitForAssertion(() => Assert.Contains("private network", cut.Find("[data-testid=channel-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=channel-secret]"));
    }

    [Fact]
    public void Without_a_portal_url_the_page_says_which_setting_to_set()
    {
        _portalUrl = null;
        var cut = RenderPage<NotificationSettings>();

        cut.WaitForAssertion(() => Assert.Contains("Notifications:PortalUrl", cut.Find("[data-testid=portal-url-missing]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_email_channel_nobody_can_receive_says_to_give_people_an_address_under_settings_users()
    {
        var group = (await Service<RoomGroupService>().CreateAsync("Building 7", Admin, Ct)).Value!;
        await EmailChannelAsync(group.Id);

        var cut = RenderPage<NotificationSettings>();

        cut.WaitForAssertion(() => Assert.Contains("Nobody gets this channel's email yet", cut.Find("[data-testid=email-coverage]").TextContent, StringComparison.Ordinal));
        Assert.Equal("/settings/users", cut.Find("[data-testid=email-coverage] a").GetAttribute("href"));
    }

    [Fact]
    public async Task An_email_channel_counts_the_people_it_covers_who_have_no_address()
    {
        var group = (await Service<RoomGroupService>().CreateAsync("Building 7", Admin, Ct)).Value!;
        var other = (await Service<RoomGroupService>().CreateAsync("Branch", Admin, Ct)).Value!;
        await Services.SeedUsersAsync(
            ("mia", PortalRoles.RoomsProManager, "mia@contoso.example", []),
            ("sam", PortalRoles.SiteLead, null, [group.Id]),
            ("bo", PortalRoles.SiteLead, null, [other.Id]),
            ("hal", PortalRoles.Helpdesk, null, [group.Id]));
        await EmailChannelAsync(group.Id);

        var cut = RenderPage<NotificationSettings>();

        // Mia and Sam are covered (Bo's room group is another; Helpdesk gets no request events); Sam has no address.
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=email-coverage]").GetAttribute("data-people")));
        Assert.Equal("1", cut.Find("[data-testid=email-coverage]").GetAttribute("data-without-email"));
        Assert.Contains("1 of the 2 people this channel covers has no email address", cut.Find("[data-testid=email-coverage]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_channel_is_added_with_a_digest_and_its_row_changes_it_with_an_audit_entry()
    {
        var cut = RenderPage<NotificationSettings>();
        cut.WaitForElement("[data-testid=no-channels]");
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<NotificationChannelKind>>().Instance.ValueChanged.InvokeAsync(NotificationChannelKind.Email));
        cut.Find("[data-testid=channel-name]").Change("People");
        var formDigest = cut.FindComponent<NotificationChannelForm>().FindComponent<DigestSelect>();
        await cut.InvokeAsync(() => formDigest.FindComponent<MudSelect<int>>().Instance.ValueChanged.InvokeAsync(1440));
        cut.Find("[data-testid=add-channel]").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=channel-row]")));
        Assert.Equal(1440, Assert.Single(await Service<NotificationChannelService>().ListAsync(Ct)).DigestMinutes);
        var rowDigest = cut.FindComponents<DigestSelect>().Single(d => d.Instance.TestId == "row-digest");
        Assert.Equal(1440, rowDigest.Instance.Value);
        Assert.Contains("A daily digest", rowDigest.Markup, StringComparison.Ordinal);

        await cut.InvokeAsync(() => rowDigest.FindComponent<MudSelect<int>>().Instance.ValueChanged.InvokeAsync(15));

        cut.WaitForAssertion(() => Assert.Equal(15, cut.FindComponents<DigestSelect>().Single(d => d.Instance.TestId == "row-digest").Instance.Value));
        Assert.Equal(15, Assert.Single(await Service<NotificationChannelService>().ListAsync(Ct)).DigestMinutes);
        var audit = (await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.Notifications), Ct)).Items;
        var changed = Assert.Single(audit, e => e.Operation == AuditOperations.ChannelDigestChanged);
        Assert.Contains("from 1440 to 15 minutes", changed.Details, StringComparison.Ordinal);
    }

    private async Task EmailChannelAsync(Guid group)
    {
        var created = await Service<NotificationChannelService>().CreateAsync(
            new NewNotificationChannel(NotificationChannelKind.Email, "People", null, [group], [NotificationEventTypes.RequestPending]), Admin, Ct);
        Assert.True(created.Succeeded, created.Error.ToString());
    }
}
