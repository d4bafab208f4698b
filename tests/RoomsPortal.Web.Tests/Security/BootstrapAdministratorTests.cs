using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Security;

public sealed partial class BootstrapAdministratorTests
{
    [Fact]
    public async Task First_start_prints_a_one_time_admin_password_once_and_forces_a_change()
    {
        var ct = TestContext.Current.CancellationToken;
        string dataDirectory;
        string password;
        await using (var first = Unconfigured(new PortalFactory().KeepData()))
        {
            dataDirectory = first.DataDirectory;
            using var browser = first.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            var printed = BootstrapPassword().Matches(await ReadLogsAsync(dataDirectory, ct));
            password = Assert.Single(printed).Groups[1].Value;

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

        await using (var second = Unconfigured(new PortalFactory(dataDirectory)))
        {
            using var browser = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            using var signIn = await PortalForms.SignInAsync(browser, PortalFactory.AdminUserName, "the-admins-own-password", ct: ct);

            Assert.Equal("/", PortalForms.RedirectTarget(signIn));
            Assert.Single(BootstrapPassword().Matches(await ReadLogsAsync(dataDirectory, ct)));
        }
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
