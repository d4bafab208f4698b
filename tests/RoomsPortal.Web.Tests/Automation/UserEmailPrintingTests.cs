using RoomsPortal.Core.Notifications;
using RoomsPortal.Web.Api.V1;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Automation;

/// <summary>docs/notifications.md: a user's email address never reaches the logs, so nothing that carries one prints it.</summary>
public sealed class UserEmailPrintingTests
{
    private const string Address = "ada.lovelace@contoso.example";

    [Fact]
    public void Records_that_carry_an_email_address_print_it_masked()
    {
        var printed = new[]
        {
            new UserSummary("id-1", "ada", "Ada", Address, PortalRoles.SiteLead, [], false, false, null).ToString(),
            new NewPortalUser("ada", "Ada", PortalRoles.SiteLead, [], Address).ToString(),
            new CreateUserRequest("ada", PortalRoles.SiteLead, Email: Address).ToString(),
            new ChangeUserEmailRequest(Address).ToString(),
            new NotificationRecipient(Address, "Ada").ToString(),
            $"{new NotificationRecipient(Address, "Ada") with { Name = "Ada L." }}",
        };

        Assert.All(printed, text =>
        {
            Assert.DoesNotContain("lovelace", text, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Email = ***", text, StringComparison.Ordinal);
        });
        Assert.Contains("UserName = ada", printed[0], StringComparison.Ordinal);
        Assert.Contains("Email = (none)", new ChangeUserEmailRequest(null).ToString(), StringComparison.Ordinal);
    }
}
