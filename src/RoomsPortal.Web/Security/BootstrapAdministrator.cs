using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Local mode, first start: creates the roles and, while no Rooms Pro Manager exists, the <c>admin</c> account.
/// Its password comes from <c>Bootstrap:AdminPassword</c> or is generated and written to the log once; a generated
/// one must be changed at first sign-in.
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
        if (generated)
        {
            LogGenerated(app.Logger, UserName, password);
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

    // The one time a password is logged on purpose: it works only for the first sign-in, which forces a change.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the first administrator {UserName} with the one-time password {BootstrapPassword} - sign in and choose a new password now. This is shown only once.")]
    private static partial void LogGenerated(ILogger logger, string userName, string bootstrapPassword);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first administrator {UserName} with the password from Bootstrap:AdminPassword")]
    private static partial void LogConfigured(ILogger logger, string userName);
}
