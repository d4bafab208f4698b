using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.Identity.Web;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Users;
using RoomsPortal.Web.Api.V1;

namespace RoomsPortal.Web.Security;

/// <summary>
/// The portal's sign-in: one policy scheme, <see cref="Scheme"/>, that pages and admin APIs authenticate with.
/// It forwards to the Identity cookie (local mode), or to the Entra ID cookie / JWT bearer (Entra ID mode).
/// The console credential is a separate scheme that only the console policy uses.
/// </summary>
public static class PortalAuthentication
{
    public const string Scheme = "Portal";
    public const string SignInPath = "/account/sign-in";
    public const string SignOutPath = "/account/sign-out";
    public const string ChangePasswordPath = "/account/change-password";
    public const string AccessDeniedPath = "/account/access-denied";
    public const string EntraSignInPath = "/account/sign-in/entra";
    public const string CookieName = "RoomsPortal.Auth";

    /// <summary>Identity lockout: this many failures in a row lock the account for <see cref="LockoutMinutes"/>.</summary>
    public const int MaxFailedAttempts = 5;
    public const int LockoutMinutes = 15;
    public const int MinPasswordLength = 12;

    /// <summary>
    /// What the sign-in form says after any failure that is not throttling: a wrong password, an unknown user name, a
    /// locked or disabled account. One text for all, so the form does not tell which user names exist.
    /// </summary>
    public const string SignInFailedMessage =
        "The user name or password is incorrect. After 5 failed attempts in a row an account is locked for 15 minutes: "
        + "wait, or ask a Rooms Pro Manager to reset your password.";

    internal static void AddPortalAuthentication(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var mode = builder.Configuration.GetValue(PortalAuthenticationOptions.Section + ":Mode", AuthenticationMode.Local);

        services.AddOptions<PortalAuthenticationOptions>().BindConfiguration(PortalAuthenticationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section);

        var authentication = services.AddAuthentication(Scheme);
        if (mode == AuthenticationMode.EntraId)
        {
            AddEntraId(builder, authentication);
        }
        else
        {
            AddLocalAccounts(services, authentication);
        }

        services.AddAuthorizationBuilder().AddPortalPolicies();
        services.AddAutomationApi(entraId: mode == AuthenticationMode.EntraId);
        services.AddSingleton<LoggingSignInAuditor>();
        services.AddSingleton<ISignInAuditor, AuditLogSignInAuditor>();
        services.AddOptions<SignInThrottleOptions>().BindConfiguration(SignInThrottleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SignInThrottle>();
    }

    private static void AddLocalAccounts(IServiceCollection services, AuthenticationBuilder authentication)
    {
        authentication.AddPolicyScheme(Scheme, "RoomsPortal", options => options.ForwardDefault = IdentityConstants.ApplicationScheme);
        authentication.AddIdentityCookies();

        services.AddIdentityCore<PortalUser>(options =>
            {
                options.User.RequireUniqueEmail = false;
                options.Password.RequiredLength = MinPasswordLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = MaxFailedAttempts;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(LockoutMinutes);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager<PortalSignInManager>()
            .AddPasswordValidator<PortalPasswordValidator>()
            .AddClaimsPrincipalFactory<PortalClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        // Every request checks the cookie's security stamp (SecurityStampCheck); Identity's validator refreshes the
        // principal's claims at this interval.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));
        services.ConfigureApplicationCookie(options =>
        {
            ConfigureCookie(options);
            options.Events.OnValidatePrincipal = SecurityStampCheck.ValidatePrincipalAsync;
        });
        services.AddSingleton<UserAdministration>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingPortalAuthenticationState>();
    }

    private static void AddEntraId(IHostApplicationBuilder builder, AuthenticationBuilder authentication)
    {
        var azureAd = builder.Configuration.GetSection("AzureAd");
        authentication.AddPolicyScheme(Scheme, "RoomsPortal", options => options.ForwardDefaultSelector = http =>
            http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || IsApiRequest(http.Request)
                ? JwtBearerDefaults.AuthenticationScheme
                : CookieAuthenticationDefaults.AuthenticationScheme);

        authentication.AddMicrosoftIdentityWebApp(
            azureAd,
            OpenIdConnectDefaults.AuthenticationScheme,
            CookieAuthenticationDefaults.AuthenticationScheme);
        authentication.AddMicrosoftIdentityWebApi(azureAd, JwtBearerDefaults.AuthenticationScheme);

        builder.Services.Configure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme, options =>
        {
            ConfigureCookie(options);
            options.ForwardChallenge = OpenIdConnectDefaults.AuthenticationScheme;
        });
        builder.Services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            // App roles arrive in "roles" with the same values as PortalRoles; the claim names stay as the token
            // has them (as for the API's bearer tokens below), or "roles" would be renamed and never found.
            options.MapInboundClaims = false;
            options.TokenValidationParameters.RoleClaimType = "roles";
            options.TokenValidationParameters.NameClaimType = "preferred_username";
        });
        builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            // Keep the token's claim names ("roles", "oid", "name"): mapped to the long WS-* names, "roles" would
            // not be found and every app role would be ignored (an automation API test saw exactly that).
            options.MapInboundClaims = false;
            options.TokenValidationParameters.RoleClaimType = "roles";
            options.TokenValidationParameters.NameClaimType = "name";
        });
        builder.Services.AddTransient<IClaimsTransformation, EntraClaimsTransformation>();
    }

    private static void ConfigureCookie(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.Cookie.SecurePolicy = TransportSecurity.CookiePolicy;
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
        options.LoginPath = SignInPath;
        options.LogoutPath = SignOutPath;
        options.AccessDeniedPath = AccessDeniedPath;
        options.ReturnUrlParameter = "returnUrl";

        // APIs answer 401/403; only pages redirect to the sign-in or access-denied page.
        options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
        options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (IsApiRequest(context.Request))
        {
            // A bare status for machines, not the HTML not-found page the status-code pages would render.
            context.HttpContext.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }

    /// <summary>Machine callers (APIs, hubs) get status codes instead of redirects to HTML pages.</summary>
    internal static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase);

    /// <summary>A return address from a query or form, accepted only when it stays on this portal.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl)
        && returnUrl[0] == '/'
        && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
        && !returnUrl.Contains('\\', StringComparison.Ordinal)
        && !returnUrl.Any(char.IsControl)
            ? returnUrl
            : "/";
}
