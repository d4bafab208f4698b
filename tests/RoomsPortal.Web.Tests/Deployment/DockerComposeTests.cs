using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Configuration;
using RoomsPortal.Web.Api.Console;
using RoomsPortal.Web.Infrastructure;
using RoomsPortal.Web.Infrastructure.Redis;
using RoomsPortal.Web.Security;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RoomsPortal.Web.Tests.Deployment;

/// <summary>
/// No Docker engine runs on our build machines, so docker-compose.yml is checked by reading it: the services the
/// README promises, their health checks, and every portal setting bound to the options type that reads it.
/// </summary>
public sealed class DockerComposeTests
{
    private static readonly string[] Portals = ["portal-1", "portal-2"];

    // Each section a portal may be configured with, and the options type bound from it.
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [DatabaseOptions.Section] = typeof(DatabaseOptions),
        [StorageOptions.Section] = typeof(StorageOptions),
        [RedisOptions.Section] = typeof(RedisOptions),
        [KeysOptions.Section] = typeof(KeysOptions),
        [PortalAuthenticationOptions.Section] = typeof(PortalAuthenticationOptions),
        [BootstrapOptions.Section] = typeof(BootstrapOptions),
        [ConsoleThrottleOptions.Section] = typeof(ConsoleThrottleOptions),
    };


    private static readonly YamlMappingNode Compose = Load();

    [Fact]
    public void Two_portal_replicas_sit_behind_the_proxy_with_SQL_Server_and_Redis()
    {
        var services = Map(Compose, "services");

        Assert.Equal(["portal-1", "portal-2", "proxy", "redis", "sqlserver"], services.Children.Keys.Select(k => k.ToString()).Order());
        foreach (var portal in Portals)
        {
            var service = Map(services, portal);
            Assert.Equal("src/RoomsPortal.Web/Dockerfile", Scalar(Map(service, "build"), "dockerfile"));
            Assert.False(service.Children.ContainsKey("ports"), $"{portal} is reached through the proxy only");
            Assert.Equal("SqlServer", Environment(service)["Database:Provider"]);
            Assert.Contains("Server=sqlserver,1433", Environment(service)["Database:ConnectionString"], StringComparison.Ordinal);
            Assert.Equal("redis:6379", Environment(service)["Redis:ConnectionString"]);
            Assert.Contains("service_healthy", Scalar(Map(Map(service, "depends_on"), "redis"), "condition"), StringComparison.Ordinal);
        }

        Assert.Equal("service_healthy", Scalar(Map(Map(Map(services, "portal-2"), "depends_on"), "portal-1"), "condition"));
        var proxy = Map(services, "proxy");
        Assert.Equal(["8080:8080"], Sequence(proxy, "ports"));
        Assert.Contains("./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro", Sequence(proxy, "volumes"));
    }

    [Fact]
    public void Both_replicas_share_one_key_volume_over_their_own_data_folders()
    {
        var services = Map(Compose, "services");
        var volumes = Portals.Select(p => Sequence(Map(services, p), "volumes")).ToList();

        Assert.All(volumes, v => Assert.Contains("portal-keys:/var/lib/roomsportal/keys", v));
        Assert.Contains("portal-1-data:/var/lib/roomsportal", volumes[0]);
        Assert.Contains("portal-2-data:/var/lib/roomsportal", volumes[1]);
        Assert.True(Map(Compose, "volumes").Children.ContainsKey("portal-keys"));
        Assert.Contains("mkdir -p /var/lib/roomsportal/keys", File.ReadAllText(RepositoryFile("src", "RoomsPortal.Web", "Dockerfile")), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_service_has_a_health_check_and_the_portals_use_the_images_own_probe()
    {
        var services = Map(Compose, "services");

        foreach (var (name, service) in services.Children.Select(c => (c.Key.ToString(), (YamlMappingNode)c.Value)))
        {
            var test = Sequence(Map(service, "healthcheck"), "test");
            Assert.True(test.Count > 1, $"{name} has a health check command");
        }

        foreach (var portal in Portals)
        {
            Assert.Equal(["CMD", "dotnet", "RoomsPortal.Web.dll", HealthProbe.Argument], Sequence(Map(Map(services, portal), "healthcheck"), "test"));
        }

        Assert.EndsWith("/health/ready", HealthProbe.DefaultUrl, StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:8080/", HealthProbe.DefaultUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void Forwarded_headers_trust_exactly_the_compose_network_and_the_proxy_forwards_them()
    {
        var subnet = Scalar((YamlMappingNode)Sequence(Map(Map(Map(Compose, "networks"), "roomsportal"), "ipam"), "config", n => n).Single(), "subnet");
        var network = IPNetwork.Parse(subnet);

        foreach (var portal in Portals)
        {
            var service = Map(Map(Compose, "services"), portal);
            Assert.Equal(subnet, Environment(service)["ForwardedHeaders:KnownNetworks:0"]);
            Assert.True(network.Contains(IPAddress.Parse(Scalar(Map(Map(service, "networks"), "roomsportal"), "ipv4_address"))));
        }

        var proxyAddress = IPAddress.Parse(Scalar(Map(Map(Map(Map(Compose, "services"), "proxy"), "networks"), "roomsportal"), "ipv4_address"));
        Assert.True(network.Contains(proxyAddress), "the proxy's address is inside the trusted network");
        var nginx = File.ReadAllText(RepositoryFile("deploy", "nginx.conf"));
        Assert.Contains("ip_hash;", nginx, StringComparison.Ordinal);
        Assert.Contains("server portal-1:8080", nginx, StringComparison.Ordinal);
        Assert.Contains("server portal-2:8080", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header X-Forwarded-Proto $scheme;", nginx, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_portal_environment_key_is_a_setting_the_portal_reads()
    {
        foreach (var portal in Portals)
        {
            var environment = Environment(Map(Map(Compose, "services"), portal));
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(environment).Build();

            foreach (var section in configuration.GetChildren())
            {
                if (Sections.TryGetValue(section.Key, out var type))
                {
                    // ErrorOnUnknownConfiguration: a key no property reads (a typo, a renamed setting) fails here.
                    var options = Activator.CreateInstance(type)!;
                    section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
                    Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
                }
                else if (section.Key == TrustedProxyOptions.Section)
                {
                    var proxies = new TrustedProxyOptions();
                    section.Bind(proxies, binder => binder.ErrorOnUnknownConfiguration = true);
                    // Parsing is what the portal does at start: a value that is not an address or network throws here.
                    Assert.True(proxies.TrustsAnyProxy, $"{portal} names no trusted proxy, so nginx's forwarded headers would be ignored.");
                }
                else if (section.Key == "Otp")
                {
                    Assert.All(section.GetChildren(), key => Assert.Equal(FileOtpKeyProvider.ConfigurationKey, key.Path));
                }
                else
                {
                    Assert.Fail($"{portal} sets {section.Key}, which the portal does not read.");
                }
            }
        }
    }

    private static Dictionary<string, string?> Environment(YamlMappingNode service) =>
        Map(service, "environment").Children.ToDictionary(
            c => c.Key.ToString().Replace("__", ":", StringComparison.Ordinal),
            c => (string?)c.Value.ToString(),
            StringComparer.OrdinalIgnoreCase);

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode map
            ? map
            : throw new Xunit.Sdk.XunitException($"docker-compose.yml: no mapping '{key}' at line {node.Start.Line}.");

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode scalar
            ? scalar.Value!
            : throw new Xunit.Sdk.XunitException($"docker-compose.yml: no value '{key}' at line {node.Start.Line}.");

    private static List<string> Sequence(YamlMappingNode node, string key) => Sequence(node, key, n => n.ToString());

    private static List<T> Sequence<T>(YamlMappingNode node, string key, Func<YamlNode, T> select) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence.Children.Select(select).ToList()
            : throw new Xunit.Sdk.XunitException($"docker-compose.yml: no list '{key}' at line {node.Start.Line}.");

    private static YamlMappingNode Load()
    {
        using var reader = new StreamReader(RepositoryFile("docker-compose.yml"));
        var yaml = new YamlStream();
        // The portal services share their settings through a YAML anchor (<<: *portal); the merging parser resolves it.
        yaml.Load(new MergingParser(new Parser(reader)));
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static string RepositoryFile(params string[] parts) => Support.RepositoryFiles.PathOf(parts);
}
