using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.V1;

namespace RoomsPortal.Web.Tests.Automation;

/// <summary>
/// docs/api.md's endpoint table (marked <c>&lt;!-- contract: endpoints --&gt;</c>) is a contract, as
/// docs/console-protocol.md is (<c>ProtocolDocumentTests</c>): every route the app maps under <c>/api/v1</c> is a row with
/// its method and the role its policy admits, and the table lists no route the app lacks.
/// </summary>
public sealed partial class ApiDocumentTests : IAsyncLifetime
{
    private const string Marker = "<!-- contract: endpoints -->";

    private static readonly Dictionary<string, string> RoleOfPolicy = new(StringComparer.Ordinal)
    {
        [AutomationApi.ReadPolicy] = "any",
        [AutomationApi.ProvisionPolicy] = "Manager, Site Lead",
        [AutomationApi.ManagePolicy] = "Rooms Pro Manager",
    };

    private readonly PortalFactory _portal = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public void Every_api_v1_route_is_in_the_endpoint_table_with_its_method_and_role_and_the_table_lists_nothing_else()
    {
        var documented = DocumentedRows();
        var mapped = MappedRoutes();

        var missing = mapped.Keys.Except(documented.Keys).Order(StringComparer.Ordinal).ToList();
        var stale = documented.Keys.Except(mapped.Keys).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"Routes missing from docs/api.md's endpoint table:\n  {string.Join("\n  ", missing)}\nRows the app does not map:\n  {string.Join("\n  ", stale)}");
        var wrongRole = mapped.Where(r => documented[r.Key] != r.Value).Select(r => $"{r.Key}: the table says '{documented[r.Key]}', the policy admits '{r.Value}'").ToList();
        Assert.True(wrongRole.Count == 0, string.Join("\n", wrongRole));
    }

    /// <summary>"METHOD /api/v1/path/{name}" (constraints and trailing slashes dropped) and the role column, per route.</summary>
    private Dictionary<string, string> MappedRoutes()
    {
        // Starting the host builds the endpoint list.
        _ = _portal.Server;
        var routes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var endpoint in _portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                     .Where(e => e.RoutePattern.RawText?.StartsWith(AutomationApi.Root + "/", StringComparison.Ordinal) == true))
        {
            var path = Constraint().Replace(endpoint.RoutePattern.RawText!, "{$1}").TrimEnd('/');
            var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Single(p => p is not null && RoleOfPolicy.ContainsKey(p))!;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                Assert.True(routes.TryAdd($"{method} {path}", RoleOfPolicy[policy]), $"{method} {path} is mapped twice");
            }
        }

        Assert.NotEmpty(routes);
        return routes;
    }

    private static Dictionary<string, string> DocumentedRows()
    {
        var lines = File.ReadAllText(Support.RepositoryFiles.PathOf("docs", "api.md")).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == Marker);
        Assert.True(start >= 0, $"docs/api.md has no {Marker} line before its endpoint table.");
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => l.TrimStart().StartsWith('|')).Skip(2))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            var route = Regex.Match(cells[0], "^`(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`? ]+)`$");
            Assert.True(route.Success, $"docs/api.md endpoint row '{cells[0]}' is not one `METHOD /api/v1/path`.");
            Assert.True(rows.TryAdd($"{route.Groups[1].Value} {route.Groups[2].Value}", cells[1]), $"{cells[0]} is in the table twice");
        }

        return rows;
    }

    [GeneratedRegex(@"\{([A-Za-z]+):[^}]+\}")]
    private static partial Regex Constraint();
}
