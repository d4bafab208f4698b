using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Common;
using RoomsPortal.Web.Api.Console;
using RoomsPortal.Web.Security;
using Scalar.AspNetCore;

namespace RoomsPortal.Web.Api.V1;

/// <summary>
/// The automation API under <see cref="Root"/>: what an admin does in the portal, for scripts, over the same Core
/// services the pages use. Callers authenticate with an API key (<c>Authorization: Bearer rpk_...</c>; in Entra ID mode
/// also a bearer token of the app registration). A browser's sign-in cookie is not accepted here, so no page can be
/// turned against the API (no cross-site request forgery). docs/api.md is the guide; <c>/openapi/v1.json</c> the contract.
/// </summary>
public static class AutomationApi
{
    public const string Root = "/api/v1";

    /// <summary>The authentication scheme of every <c>/api/v1</c> policy.</summary>
    public const string Scheme = "AutomationApi";
    public const string OpenApiPath = "/openapi/v1.json";
    public const string RateLimitPolicy = "api-key";
    public const int RequestsPerMinutePerKey = 600;
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The highest page a list takes (200 rows a page reach past 100 million rows).</summary>
    public const int MaxPage = 500_000;

    /// <summary>Reads: every portal role.</summary>
    public const string ReadPolicy = "Api.Read";

    /// <summary>Generating codes, importing accounts, deciding requests: Rooms Pro Manager and Site Lead.</summary>
    public const string ProvisionPolicy = "Api.Provision";

    /// <summary>Room groups, API keys: Rooms Pro Manager only.</summary>
    public const string ManagePolicy = "Api.Manage";

    /// <summary>
    /// The OpenAPI document: a key of any role, or a signed-in portal user (the reference page reads it with the
    /// browser's sign-in). Reading a document changes nothing, so the cookie is safe here.
    /// </summary>
    public const string DocumentPolicy = "Api.Document";

    private const string DocumentScheme = "AutomationApiDocument";

    /// <summary>The API reference page (Scalar) for signed-in portal users: <c>/reference/v1</c>.</summary>
    public const string ReferencePrefix = "/reference";

    /// <summary>The automation API's JSON: camelCase, enums as strings, and unknown or missing fields refused.</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    internal static IServiceCollection AddAutomationApi(this IServiceCollection services, bool entraId)
    {
        // One scheme for the API, so exactly one handler answers a challenge: the key handler when a key is sent (or in
        // local mode), else the Entra ID bearer handler. Never the portal cookie.
        services.AddSingleton<ApiKeyFailureThrottle>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, displayName: null, _ => { })
            .AddPolicyScheme(Scheme, "RoomsPortal automation API", options => options.ForwardDefaultSelector = http =>
                !entraId || ApiKeyAuthenticationHandler.Carries(http.Request) ? ApiKeyAuthenticationHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme)
            // The document: whoever sends a credential of the API is the API's caller; anyone else is the browser of
            // a portal user (one scheme, so one handler answers a challenge).
            .AddPolicyScheme(DocumentScheme, "RoomsPortal API document", options => options.ForwardDefaultSelector = http =>
                ApiKeyAuthenticationHandler.Carries(http.Request) || http.Request.Headers.Authorization.Count > 0 ? Scheme : PortalAuthentication.Scheme);
        static AuthorizationPolicy Policy(params string[] roles) =>
            new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().RequireRole(roles).Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, Policy(PortalRoles.RoomsProManager, PortalRoles.SiteLead, PortalRoles.Helpdesk))
            .AddPolicy(ProvisionPolicy, Policy(PortalRoles.RoomsProManager, PortalRoles.SiteLead))
            .AddPolicy(ManagePolicy, Policy(PortalRoles.RoomsProManager))
            .AddPolicy(DocumentPolicy, new AuthorizationPolicyBuilder(DocumentScheme).RequireAuthenticatedUser()
                .RequireRole(PortalRoles.RoomsProManager, PortalRoles.SiteLead, PortalRoles.Helpdesk).Build());
        services.AddRateLimiter(options => options.AddPolicy(RateLimitPolicy, http => RateLimitPartition.GetTokenBucketLimiter(
            http.User.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim) ?? "address:" + ConsoleRateLimits.SourceAddress(http),
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = RequestsPerMinutePerKey / 6,
                TokensPerPeriod = RequestsPerMinutePerKey / 6,
                ReplenishmentPeriod = TimeSpan.FromSeconds(10),
                QueueLimit = 0,
            })));
        services.AddOpenApi("v1", options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "RoomsPortal automation API",
                    Version = "v1",
                    Description = "Everything an administrator does in the portal, for scripts. Authenticate with an API key from "
                        + "Settings > API keys: 'Authorization: Bearer rpk_...'. Errors are RFC 9457 problem documents with a stable 'code'.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "rpk_ API key",
                    Description = "An API key made under Settings > API keys, sent as a bearer token.",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
                });
                return Task.CompletedTask;
            });
        });
        return services;
    }

    internal static IEndpointRouteBuilder MapAutomationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Root)
            .RequireRateLimiting(RateLimitPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapRoomGroupsApi();
        api.MapResourceAccountsApi();
        api.MapOtpBatchesApi();
        api.MapApprovalsApi();
        api.MapDevicesApi();
        api.MapApiKeysApi();
        api.MapNotificationChannelsApi();
        api.MapVerificationFailuresApi();
        api.MapDeviceCatalogApi();
        api.MapPreferencesApi();
        api.MapAuditLogApi();
        api.MapUsersApi();
        app.MapOpenApi(OpenApiPath).RequireAuthorization(DocumentPolicy);
        app.MapScalarApiReference(ReferencePrefix, (options, http) =>
        {
            options.Title = "RoomsPortal automation API";
            options.OpenApiRoutePattern = OpenApiPath;
            // Self-hosted and often offline, and the document is the customer's: no fonts from a CDN, no telemetry,
            // no AI agent, no developer toolbar (its Share and Generate SDK send the document to Scalar's services);
            // the page's scripts carry this response's CSP nonce.
            options.DefaultFonts = false;
            options.Telemetry = false;
            options.Agent = new ScalarAgentOptions { Disabled = true };
            options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            options.Nonce = SecurityHeaders.Nonce(http);
            options.AddPreferredSecuritySchemes([ApiKeyAuthenticationHandler.SchemeName]);
        }).RequireAuthorization(PortalPolicies.ReadOperations);
        return app;
    }

    /// <summary>Reads a JSON body with the API's rules (size cap, unknown and missing fields refused).</summary>
    internal static Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct, int maxBodyBytes = MaxBodyBytes)
        where T : class => ConsoleRequestReader.ReadAsync<T>(request, maxBodyBytes, Json, ct);

    internal static IResult Problem(int status, string code, string title, string? detail = null) =>
        ApiProblems.Problem(status, code, title, detail);

    internal static IResult Invalid(string field, string error) => ConsoleProblems.InvalidRequest(field, error);

    internal static IResult NotFound(string what) =>
        Problem(StatusCodes.Status404NotFound, ConsoleErrorCodes.NotFound, $"No such {what}.", $"The {what} does not exist, or is outside this key's room groups.");

    /// <summary>A 400 naming the limits when a list's page or pageSize is out of range (a huge page would overflow), else null.</summary>
    internal static IResult? CheckPage(int? page, int? pageSize) =>
        page is < 1 or > MaxPage || pageSize is < 1 or > Paging.MaxPageSize
            ? Invalid("page", $"page is 1 to {MaxPage}; pageSize is 1 to {Paging.MaxPageSize}.")
            : null;

    /// <summary>A page of a list, as every list of the API answers it.</summary>
    internal static PageResponse<TOut> Page<TIn, TOut>(PagedResult<TIn> page, Func<TIn, TOut> map) =>
        new([.. page.Items.Select(map)], page.TotalCount, page.Page, page.PageSize);

    internal static Actor Actor(this HttpContext http) => ActorFactory.FromPrincipal(http.User);

    internal static AccessScope Scope(this HttpContext http) => AccessScopeFactory.FromPrincipal(http.User);

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            // The Web defaults read "12" as 12; a wrong type is refused like any other (docs/api.md).
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>A page of a list: the items, how many there are in all, and where this page is.</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);
