using System.Reflection;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Azure.SignalR;
using Microsoft.Extensions.Primitives;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Web.Api;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Infrastructure.AzureSignalR;

/// <summary>
/// Azure SignalR Service for the console hub only (docs/scale-out.md; docs/decisions/0008). Off unless
/// <see cref="ConnectionStringKey"/> is set. Blazor's circuits stay on the node: Blazor Server through the service
/// needs sticky sessions, and admins are few.
/// </summary>
/// <remarks>
/// The SDK has no per-hub switch: <c>AddAzureSignalR</c> moves every hub (its maintainers say so in
/// Azure/azure-signalr#1738). It does so through three registrations, each narrowed here to <see cref="ConsoleHub"/>:
/// the open-generic <see cref="HubLifetimeManager{THub}"/> (becomes the console hub's alone), the negotiate
/// <see cref="MatcherPolicy"/> that redirects clients to the service (applied to the console hub's negotiate endpoint
/// only), and the start-up service that opens server connections for every mapped hub (shown the console hub's
/// endpoints only). They are found by the assembly that registers them, not by their (internal) names.
/// </remarks>
internal static class ConsoleHubAzureSignalR
{
    /// <summary>The SDK's own default key, so the usual Azure App Service setting works as it is.</summary>
    public const string ConnectionStringKey = "Azure:SignalR:ConnectionString";

    private static readonly Assembly Sdk = typeof(ServiceOptions).Assembly;

    /// <summary>Whether the console hub goes through Azure SignalR Service in this configuration.</summary>
    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[ConnectionStringKey]);

    /// <summary>
    /// With <see cref="ConnectionStringKey"/> set, serves the console hub through the service; a malformed string
    /// stops the start naming the key (never the string: it carries the access key).
    /// </summary>
    public static IServiceCollection AddConsoleHubAzureSignalRWhenConfigured(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return services;
        }

        try
        {
            // The SDK's own parser; an unparsable string would otherwise fail later, deep in its options, unnamed.
            _ = new ServiceEndpoint(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(
                $"{ConnectionStringKey} is not an Azure SignalR Service connection string (Endpoint=https://<name>.service.signalr.net;AccessKey=<key>;Version=1.0;): {ex.Message}",
                ex);
        }

        var before = services.Count;
        services.AddSignalR().AddAzureSignalR(options => options.ConnectionString = connectionString);
        var added = services.Skip(before).Where(d => !d.IsKeyedService && d.ImplementationType?.Assembly == Sdk).ToList();

        NarrowLifetimeManager(services, added);
        NarrowNegotiateRedirect(services, added);
        NarrowServerConnections(services, added);
        return services;
    }

    /// <summary>
    /// With the service on, a console must negotiate (the answer sends it to the service): a WebSocket straight to the
    /// node would be a connection the service does not know, whose watched requests it would never push to. Such a
    /// connect is refused with a problem document saying so.
    /// </summary>
    public static IApplicationBuilder UseConsoleHubAzureSignalRWhenConfigured(this IApplicationBuilder app, IConfiguration configuration)
    {
        if (!IsConfigured(configuration))
        {
            return app;
        }

        return app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint?.Metadata.GetMetadata<HubMetadata>()?.HubType == typeof(ConsoleHub)
                && endpoint.Metadata.GetMetadata<NegotiateMetadata>() is null)
            {
                var problem = ApiProblems.Problem(
                    StatusCodes.Status400BadRequest,
                    ConsoleErrorCodes.InvalidRequest,
                    "Negotiate first.",
                    $"This portal serves its console hub through Azure SignalR Service: POST {ConsoleHubNames.Path}/negotiate, then connect where the answer says.");
                await problem.ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }

    private static void NarrowLifetimeManager(IServiceCollection services, List<ServiceDescriptor> added)
    {
        var manager = TheOne(added, d => d.ServiceType == typeof(HubLifetimeManager<>), "its hub lifetime manager");
        services.Remove(manager);
        // The open-generic default (AddSignalR's DefaultHubLifetimeManager<>) serves every other hub again.
        services.AddSingleton(typeof(HubLifetimeManager<ConsoleHub>), manager.ImplementationType!.MakeGenericType(typeof(ConsoleHub)));
    }

    private static void NarrowNegotiateRedirect(IServiceCollection services, List<ServiceDescriptor> added)
    {
        var policy = TheOne(added, d => d.ServiceType == typeof(MatcherPolicy), "its negotiate redirect");
        services.Remove(policy);
        var type = policy.ImplementationType!;
        services.AddSingleton<MatcherPolicy>(sp => new ConsoleHubNegotiatePolicy((MatcherPolicy)ActivatorUtilities.CreateInstance(sp, type)));
    }

    private static void NarrowServerConnections(IServiceCollection services, List<ServiceDescriptor> added)
    {
        // The service the SDK's start-up filter runs: it opens server connections for each hub endpoint it is shown.
        var starter = TheOne(
            added,
            d => !d.ServiceType.IsGenericTypeDefinition
                && d.ImplementationType!.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(EndpointDataSource))),
            "its hub start-up");
        services.Remove(starter);
        var type = starter.ImplementationType!;
        services.AddSingleton(starter.ServiceType, sp =>
            ActivatorUtilities.CreateInstance(sp, type, new ConsoleHubEndpoints(sp.GetRequiredService<EndpointDataSource>())));
    }

    private static ServiceDescriptor TheOne(List<ServiceDescriptor> added, Func<ServiceDescriptor, bool> match, string what)
    {
        var found = added.Where(match).ToList();
        return found.Count == 1
            ? found[0]
            : throw new InvalidOperationException(
                $"Microsoft.Azure.SignalR {Sdk.GetName().Version} registers {what} differently than this portal expects ({found.Count} matches): "
                + "the console hub cannot be moved to the service alone. Use the SDK version in Directory.Packages.props.");
    }

    private static bool IsConsoleHub(Endpoint endpoint) => endpoint.Metadata.GetMetadata<HubMetadata>()?.HubType == typeof(ConsoleHub);

    /// <summary>The app's endpoints as the SDK's start-up sees them: hubs other than the console hub are left out.</summary>
    private sealed class ConsoleHubEndpoints(EndpointDataSource inner) : EndpointDataSource
    {
        public override IReadOnlyList<Endpoint> Endpoints =>
            [.. inner.Endpoints.Where(e => e.Metadata.GetMetadata<HubMetadata>() is null || IsConsoleHub(e))];

        public override IChangeToken GetChangeToken() => inner.GetChangeToken();
    }

    /// <summary>The SDK's negotiate redirect, applied where every hub endpoint is the console hub's.</summary>
    private sealed class ConsoleHubNegotiatePolicy(MatcherPolicy inner) : MatcherPolicy, IEndpointSelectorPolicy
    {
        private readonly IEndpointSelectorPolicy _inner = inner as IEndpointSelectorPolicy
            ?? throw new InvalidOperationException($"{inner.GetType().Name} is not an endpoint selector policy.");

        public override int Order => inner.Order;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
            endpoints.Any(IsConsoleHub)
            && endpoints.All(e => e.Metadata.GetMetadata<HubMetadata>() is null || IsConsoleHub(e))
            && _inner.AppliesToEndpoints(endpoints);

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates) => _inner.ApplyAsync(httpContext, candidates);
    }
}
