using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Audit;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

public sealed partial class BootstrapAdministratorTests
{
    [Fact]
    public async Task First_start_prints_a_one_time_admin_password_to_the_console_only_and_forces_a_change()
    {
        var ct = TestContext.Current.CancellationToken;
        string dataDirectory;
        string password;
        var console = new StringWriter();
        // As deployed: Production, empty data folder.
        await using (var first = Unconfigured(new PortalFactory().InProduction().KeepData()).WithServices(s => s.AddSingleton(new BootstrapPasswordConsole(console))))
        {
            dataDirectory = first.DataDirectory;
            using var browser = first.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            password = Assert.Single(BootstrapPassword().Matches(console.ToString())).Groups[1].Value;
            var logs = await ReadLogsAsync(dataDirectory, ct);
            // The log file says where the password went, never the password: it is kept 14 days and read by others.
            Assert.Contains("printed to the console (standard output) only", logs, StringComparison.Ordinal);
            Assert.DoesNotContain(password, logs, StringComparison.Ordinal);

            using var signIn = await PortalForms.SignInAsync(browser, PortalFactory.AdminUserName, password, ct: ct);
            Assert.Equal("/account/change-password?returnUrl=%2F", PortalForms.RedirectTarget(signIn));
            using var home = await browser.GetAsync(new Uri("/", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Found, home.StatusCode);
            Assert.Equal("/account/change-password?returnUrl=%2F", PortalForms.RedirectTarget(home));

            using var changed = await PortalForms.SubmitAsync(
                browser,
                "/account/change-password?returnUrl=%2F",
                new Dictionary<string, string>
                {
                    ["Input.CurrentPassword"] = password,
                    ["Input.NewPassword"] = "the-admins-own-password",
                    ["Input.ConfirmPassword"] = "the-admins-own-password",
                },
                ct);
            Assert.Equal("/", PortalForms.RedirectTarget(changed));
            using var dashboard = await browser.GetAsync(new Uri("/", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        }

        await using (var second = Unconfigured(new PortalFactory(dataDirectory)).WithServices(s => s.AddSingleton(new BootstrapPasswordConsole(console))))
        {
            using var browser = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            using var signIn = await PortalForms.SignInAsync(browser, PortalFactory.AdminUserName, "the-admins-own-password", ct: ct);

            Assert.Equal("/", PortalForms.RedirectTarget(signIn));
            Assert.Single(BootstrapPassword().Matches(console.ToString()));
            Assert.DoesNotContain(password, await ReadLogsAsync(dataDirectory, ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_console_writer_is_standard_output_and_the_first_administrator_is_audited()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var portal = Unconfigured(new PortalFactory()).InProduction();
        _ = portal.Server;

        Assert.Same(System.Console.Out, portal.Services.GetRequiredService<BootstrapPasswordConsole>().Writer);
        var audit = await portal.Services.GetRequiredService<AuditService>().QueryAsync(new AuditQuery(Category: AuditCategory.Users), ct);
        var created = Assert.Single(audit.Items);
        Assert.Equal((AuditOperations.UserCreated, PortalFactory.AdminUserName, "system"), (created.Operation, created.Target, created.ActorId));
        Assert.Contains("one-time password printed to the console", created.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_admin_password_is_used_and_never_logged()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var portal = new PortalFactory()
            .WithSetting("Bootstrap:AdminPassword", "configured-admin-password")
            .WithSetting("Bootstrap:RequirePasswordChange", "true");
        using var browser = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var signIn = await PortalForms.SignInAsync(browser, PortalFactory.AdminUserName, "configured-admin-password", ct: ct);

        Assert.Equal("/account/change-password?returnUrl=%2F", PortalForms.RedirectTarget(signIn));
        var logs = await ReadLogsAsync(portal.DataDirectory, ct);
        Assert.DoesNotContain("configured-admin-password", logs, StringComparison.Ordinal);
        Assert.Empty(BootstrapPassword().Matches(logs));
    }

    private static PortalFactory Unconfigured(PortalFactory portal) =>
        portal.WithSetting("Bootstrap:AdminPassword", "").WithSetting("Bootstrap:RequirePasswordChange", "true");

    private static async Task<string> ReadLogsAsync(string dataDirectory, CancellationToken ct)
    {
        var all = new System.Text.StringBuilder();
        foreach (var file in Directory.GetFiles(Path.Combine(dataDirectory, "logs")))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            all.Append(await reader.ReadToEndAsync(ct));
        }

        return all.ToString();
    }

    [GeneratedRegex("one-time password ([A-Za-z0-9-]+) ")]
    private static partial Regex BootstrapPassword();
}
