using Bunit;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Web.Components.Pages.Settings;
using RoomsPortal.Web.Security;
using RoomsPortal.Web.Tests.Support;

namespace RoomsPortal.Web.Tests.Components.Settings;

/// <summary>Settings &gt; Users: a user's email address (where email notifications go) is set when adding and changed afterwards.</summary>
public sealed class UsersPageTests : PortalComponentContext
{
    public UsersPageTests() => Services.AddLocalUsers();

    [Fact]
    public async Task An_address_is_checked_when_adding_shown_in_the_list_and_changed_later_with_an_audit_entry()
    {
        await Services.SeedUsersAsync(("mia", PortalRoles.RoomsProManager, "mia@contoso.example", []), ("sam", PortalRoles.SiteLead, null, []));
        var cut = RenderPage<Users>();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));
        Assert.Contains("mia@contoso.example", Row(cut, "mia").TextContent, StringComparison.Ordinal);
        Assert.NotNull(Row(cut, "sam").QuerySelector("[data-testid=no-email]"));

        cut.Find("[data-testid=new-user-name]").Input("lea");
        cut.Find("[data-testid=user-email]").Change("lea@contoso");
        cut.Find("[data-testid=add-user]").Click();
        cut.WaitForAssertion(() => Assert.Contains("full domain", cut.Find("[data-testid=users-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal(2, Rows(cut).Count);

        cut.Find("[data-testid=user-email]").Change("lea@contoso.example");
        cut.Find("[data-testid=add-user]").Click();
        cut.WaitForAssertion(() => Assert.Contains("lea@contoso.example", Row(cut, "lea").TextContent, StringComparison.Ordinal));
        Assert.Contains("lea", cut.Find("[data-testid=one-time-password]").TextContent, StringComparison.Ordinal);

        Row(cut, "sam").QuerySelector("[data-testid=edit-user]")!.Click();
        cut.Find("[data-testid=user-email]").Change("sam@contoso.example");
        cut.Find("[data-testid=save-user]").Click();
        cut.WaitForAssertion(() => Assert.Contains("sam@contoso.example", Row(cut, "sam").TextContent, StringComparison.Ordinal));
        Assert.Null(Row(cut, "sam").QuerySelector("[data-testid=no-email]"));

        var audit = (await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.Users), Ct)).Items;
        var changed = Assert.Single(audit, e => e.Operation == AuditOperations.UserEmailChanged);
        Assert.Equal(("sam", "Test Admin", "Email address for notifications: none -> set"), (changed.Target, changed.ActorName, changed.Details));
        Assert.Contains(audit, e => e.Operation == AuditOperations.UserCreated && e.Target == "lea" && e.Details!.EndsWith("email address set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Saving_a_role_keeps_an_address_another_admin_changed_since_the_page_loaded()
    {
        var ids = await Services.SeedUsersAsync(("sam", PortalRoles.SiteLead, "sam@contoso.example", []));
        var cut = RenderPage<Users>();
        cut.WaitForAssertion(() => Assert.Contains("sam@contoso.example", Row(cut, "sam").TextContent, StringComparison.Ordinal));

        Row(cut, "sam").QuerySelector("[data-testid=edit-user]")!.Click();
        // Meanwhile another admin gives Sam a new address.
        var (error, _) = await Service<UserAdministration>().SetEmailAsync(ids["sam"], "sam.new@contoso.example", Actor.User("other", "Other Admin"), Ct);
        Assert.Null(error);
        cut.Find("[data-testid=save-user]").Click();

        cut.WaitForAssertion(() => Assert.Contains("sam.new@contoso.example", Row(cut, "sam").TextContent, StringComparison.Ordinal));
        var audit = (await Service<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.Users), Ct)).Items;
        Assert.Equal("Other Admin", Assert.Single(audit, e => e.Operation == AuditOperations.UserEmailChanged).ActorName);
    }

    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<Users> cut) => cut.FindAll("[data-testid=users] tbody tr");

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<Users> cut, string userName) =>
        Rows(cut).Single(r => r.QuerySelector("td")!.TextContent.Trim() == userName);
}
