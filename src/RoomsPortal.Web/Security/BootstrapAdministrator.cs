using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Where the first administrator's generated password is printed: the process's standard output, written directly and
/// never through logging, so no log sink (the rolling file in the data folder, or any sink an operator configures)
/// ever holds it. Tests replace the writer to read what the console shows.
/// </summary>
public sealed class BootstrapPasswordConsole(TextWriter writer)
{
    public TextWriter Writer { get; } = writer;
}

/// <summary>
/// Local mode, first start: creates the roles and, while no Rooms Pro Manager exists, the <c>admin</c> account.
/// Its password comes from <c>Bootstrap:AdminPassword</c> or is generated and printed once to the console (standard
/// output) only, never to a log file; a generated one must be changed at first sign-in. The creation is audited.
/// </summary>
internal static partial class BootstrapAdministrator
{
    public const string UserName = "admin";

    // No look-alikes (0/O, 1/l/I): the password is read off a console log and typed by hand.
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static async Task EnsureBootstrapAdministratorAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<PortalAuthenticationOptions>>().Value.Mode != AuthenticationMode.Local)
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in PortalRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                ThrowIfFailed(await roles.CreateAsync(new IdentityRole(role)), $"creating the role {role}");
            }
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        if ((await users.GetUsersInRoleAsync(PortalRoles.RoomsProManager)).Count > 0)
        {
            return;
        }

        var options = app.Services.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        var generated = string.IsNullOrEmpty(options.AdminPassword);
        var password = generated ? GeneratePassword() : options.AdminPassword!;
        var admin = await users.FindByNameAsync(UserName);
        if (admin is null)
        {
            admin = new PortalUser
            {
                UserName = UserName,
                DisplayName = "Administrator",
                CreatedAt = app.Services.GetRequiredService<TimeProvider>().GetUtcNow(),
            };
            ThrowIfFailed(await users.CreateAsync(admin), "creating the administrator");
        }

        admin.MustChangePassword = generated || options.RequirePasswordChange;
        admin.IsDisabled = false;
        ThrowIfFailed(await users.UpdateAsync(admin), "updating the administrator");
        if (await users.HasPasswordAsync(admin))
        {
            ThrowIfFailed(await users.RemovePasswordAsync(admin), "resetting the administrator's password");
        }

        var set = await users.AddPasswordAsync(admin, password);
        if (!set.Succeeded)
        {
            throw new InvalidOperationException(
                $"Bootstrap:AdminPassword is not accepted: {string.Join(" ", set.Errors.Select(e => e.Description))}");
        }

        ThrowIfFailed(await users.AddToRoleAsync(admin, PortalRoles.RoomsProManager), "assigning the administrator role");
        await app.Services.GetRequiredService<AuditService>().RecordAsync(
            Actor.System, AuditCategory.Users, AuditOperations.UserCreated, UserName, AuditResult.Successful,
            $"First administrator at first start: none -> role {PortalRoles.DisplayName(PortalRoles.RoomsProManager)}; "
            + (generated ? "one-time password printed to the console" : "password from Bootstrap:AdminPassword"));
        if (generated)
        {
            var console = app.Services.GetRequiredService<BootstrapPasswordConsole>().Writer;
            await console.WriteLineAsync(
                $"Created the first administrator {UserName} with the one-time password {password} - sign in and choose a new password now. This is shown only once, here on the console; it is not in the log files.");
            await console.FlushAsync();
            LogGenerated(app.Logger, UserName);
        }
        else
        {
            LogConfigured(app.Logger, UserName);
        }
    }

    internal static string GeneratePassword()
    {
        var raw = RandomNumberGenerator.GetString(Alphabet, 20);
        return string.Join('-', raw.Chunk(5).Select(c => new string(c)));
    }

    private static void ThrowIfFailed(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Bootstrap failed {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }

    // The password itself never enters logging: log files are kept for days and read by more people than the console.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the first administrator {UserName} with a one-time password printed to the console (standard output) only, not to the log - sign in and choose a new password now")]
    private static partial void LogGenerated(ILogger logger, string userName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first administrator {UserName} with the password from Bootstrap:AdminPassword")]
    private static partial void LogConfigured(ILogger logger, string userName);
}
