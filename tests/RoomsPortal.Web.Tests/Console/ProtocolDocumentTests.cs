using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoomsPortal.ConsoleClient;
using RoomsPortal.ConsoleClient.Protocol;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Verification;
using RoomsPortal.Testing;
using RoomsPortal.Web.Api.Console;
using RoomsPortal.Web.Hubs;

namespace RoomsPortal.Web.Tests.Console;

/// <summary>
/// docs/console-protocol.md is a contract: every table marked <c>&lt;!-- contract: ... --&gt;</c> and every JSON example
/// marked <c>&lt;!-- example: ... --&gt;</c> is checked against the code, both ways, so the document cannot drift.
/// </summary>
public sealed partial class ProtocolDocumentTests
{
    private static readonly Lazy<ProtocolDocument> Doc = new(() => ProtocolDocument.Load(Path.Combine(RepositoryRoot(), "docs", "console-protocol.md")));

    private static readonly Type[] Contracts = typeof(ConsoleErrorCodes).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(ConsoleErrorCodes).Namespace && t.IsPublic && !t.IsEnum && !t.IsAbstract
            && t.GetMethod("<Clone>$") is not null)
        .ToArray();

    private static ProtocolDocument Document => Doc.Value;

    public static TheoryData<string> ContractRecords => [.. Contracts.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(ContractRecords))]
    public void Every_field_of_every_contract_record_is_documented_and_nothing_else(string record)
    {
        var type = Contracts.Single(t => t.Name == record);
        var documented = Document.Table(record).Select(row => CodeSpans(row[0]).Single()).ToList();
        var actual = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToList();

        Assert.Equal(actual.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Documented_length_limits_are_the_ones_the_portal_enforces()
    {
        var limits = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["make"] = DeviceLimits.NameMaxLength,
            ["model"] = DeviceLimits.NameMaxLength,
            ["serialNumber"] = DeviceLimits.SerialMaxLength,
            ["firmwareVersion"] = DeviceLimits.FirmwareMaxLength,
            ["verificationInfo"] = DeviceLimits.VerificationInfoMaxLength,
            ["version"] = EndUserAgreement.VersionMaxLength,
            ["code"] = ConsoleSetupApi.MaxCodeLength,
            ["email"] = ConsoleSetupApi.MaxEmailLength,
            ["password"] = ConsoleSetupApi.MaxPasswordLength,
        };
        var rows = Contracts.Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal)).SelectMany(t => Document.Table(t.Name)).ToList();

        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Equal(limits[CodeSpans(row[0]).Single()], int.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(nameof(SetupStatus))]
    [InlineData(nameof(RejectReason))]
    [InlineData(nameof(CredentialEndReason))]
    public void Every_enum_value_on_the_wire_is_documented_and_nothing_else(string name)
    {
        var type = name == nameof(RejectReason) ? typeof(RejectReason) : typeof(SetupStatus).Assembly.GetType($"{typeof(SetupStatus).Namespace}.{name}")!;
        var documented = Document.Table("enum " + name).Select(row => CodeSpans(row[0]).Single());

        Assert.Equal(Enum.GetNames(type).Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_error_code_is_documented_once_for_each_status_the_SDK_documents()
    {
        var codes = typeof(ConsoleErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (string)f.GetValue(null)!, f => f.Name, StringComparer.Ordinal);
        var statuses = SdkDocumentedStatuses();
        var documented = Document.Table("errors")
            .SelectMany(row => CodeSpans(row[1]).Select(code => (Code: code, Status: int.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();

        // A code means one thing; a few are answered by more than one call with different statuses (account_disabled:
        // 403 for manual setup, 409 for sign-in data), each documented in the SDK and once in the table.
        Assert.Equal(
            codes.SelectMany(c => statuses[c.Value].Select(s => (c.Key, s))).Order(),
            documented.Select(d => (d.Code, d.Status)).Order());
    }

    [Fact]
    public async Task Hub_names_errors_and_limits_are_the_hubs()
    {
        var names = typeof(ConsoleHubNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.Name != nameof(ConsoleHubNames.Path))
            .Select(f => (string)f.GetValue(null)!);
        var hubMethods = typeof(ConsoleHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && !m.Name.StartsWith("On", StringComparison.Ordinal))
            .Select(m => m.Name);
        var documented = Document.Table("hub").Select(row => CodeSpans(row[0]).Single()).ToList();
        var errors = Document.Table("hub-errors").Select(row => CodeSpans(row[0]).Single()).ToList();
        var limits = Document.Table("hub-limits").Select(row => int.Parse(CodeSpans(row[1]).Single(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await using var portal = new PortalFactory();
        var options = portal.Services.GetRequiredService<IOptions<HubOptions<ConsoleHub>>>().Value;

        Assert.Equal(names.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        Assert.Subset(documented.ToHashSet(), hubMethods.ToHashSet());
        Assert.All(errors, e => Assert.EndsWith(": ", e, StringComparison.Ordinal));
        Assert.Subset(typeof(ConsoleErrorCodes).GetFields().Select(f => (string)f.GetValue(null)!).ToHashSet(), errors.Select(e => e[..^2]).ToHashSet());
        Assert.Equal(
            [(int)options.KeepAliveInterval!.Value.TotalSeconds, (int)options.ClientTimeoutInterval!.Value.TotalSeconds,
                (int)options.HandshakeTimeout!.Value.TotalSeconds, (int)options.MaximumReceiveMessageSize!.Value, (int)ConsoleCredentialSweep.Interval.TotalSeconds],
            limits);
        Assert.Equal(["json"], options.SupportedProtocols);
        Assert.Contains($"`{ConsoleHubNames.Path}`", Document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_code_alphabet_throttles_lockout_and_credential_lifetime_are_the_portals()
    {
        var throttles = Document.Table("throttles").ToDictionary(row => CodeSpans(row[0]).Single(), row => (PerConsole: PerMinute(row[1]), PerAddress: PerMinute(row[2])));
        var defaults = new ConsoleThrottleOptions();

        Assert.Equal(OtpCode.Alphabet, AlphabetMarker().Match(Document.Text).Groups[1].Value);
        Assert.Equal((null, defaults.VerificationsPerAddressPerMinute), throttles["POST /verification"]);
        Assert.Equal((defaults.RedemptionsPerDevicePerMinute, defaults.RedemptionsPerAddressPerMinute), throttles["POST /otp/redeem"]);
        Assert.Equal((defaults.ManualSetupsPerDevicePerMinute, defaults.ManualSetupsPerAddressPerMinute), throttles["POST /manual-setup"]);
        Assert.Contains($"**{defaults.FailedRedemptionsPerAddressPerHour} redemptions an hour whose code is wrong**", Document.Text, StringComparison.Ordinal);
        Assert.Contains($"fail **{DeviceLockout.MaxFailures} times within {DeviceLockout.Window.TotalMinutes} minutes**", Document.Text, StringComparison.Ordinal);
        Assert.Contains($"locked out for **{DeviceLockout.LockoutDuration.TotalMinutes} minutes**", Document.Text, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromHours(1), DeviceVerificationService.SessionLifetime);
        Assert.Contains("lasts one hour", Document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_json_example_reads_as_its_contract_with_no_unknown_field_and_millisecond_times()
    {
        var strict = new JsonSerializerOptions(ConsoleJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
        var examples = Document.Examples;

        Assert.Equal(Contracts.Where(t => t.Name.EndsWith("Response", StringComparison.Ordinal)).Select(t => t.Name).Order(StringComparer.Ordinal),
            examples.Select(e => e.Type).Distinct().Order(StringComparer.Ordinal));
        foreach (var (typeName, json) in examples)
        {
            var value = JsonSerializer.Deserialize(json, Contracts.Single(t => t.Name == typeName), strict);
            Assert.NotNull(value);
            using var parsed = JsonDocument.Parse(json);
            foreach (var time in parsed.RootElement.EnumerateObject().Where(p => p.Name.EndsWith("At", StringComparison.Ordinal)))
            {
                Assert.Matches(WireTime(), time.Value.GetString());
            }

            if (value is SetupStatusResponse status)
            {
                Assert.Equal(status.IsFinal, parsed.RootElement.GetProperty("isFinal").GetBoolean());
            }
        }
    }

    [Fact]
    public void The_statement_test_vector_checks_out_with_the_real_signer_and_verifier()
    {
        var vector = Document.Table("test-vector").ToDictionary(row => row[0], row => CodeSpans(row[1]), StringComparer.Ordinal);
        var privateKey = vector["private key (PKCS#8, DER, base64)"].Single();
        var publicKey = vector["public key (SubjectPublicKeyInfo, DER, base64)"].Single();
        var jwk = vector["the same key as a JWK (base64url)"];
        var payload = DeviceStatement.Payload("Contoso", "RoomConsole 10", "SN-0001");
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(privateKey), out _);
        var parameters = key.ExportParameters(includePrivateParameters: true);

        Assert.Equal(vector["bytes to sign (UTF-8, hex)"].Single(), Convert.ToHexStringLower(payload));
        Assert.Equal("RoomsPortal-DeviceStatement-v1\nContoso\nRoomConsole 10\nSN-0001", Encoding.UTF8.GetString(payload));
        Assert.Equal(vector["SHA-256 of those bytes (hex)"].Single(), Convert.ToHexStringLower(SHA256.HashData(payload)));
        Assert.Equal(publicKey, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
        Assert.Equal([Base64Url(parameters.Q.X!), Base64Url(parameters.Q.Y!), Base64Url(parameters.D!)], jwk.Where((_, i) => i % 2 == 1));
        Assert.True(DeviceStatement.Verify(publicKey, vector["one valid `verificationInfo`"].Single(), "Contoso", "RoomConsole 10", "SN-0001"));
        Assert.True(DeviceStatement.Verify(publicKey, DeviceStatementSigner.Sign(key, "Contoso", "RoomConsole 10", "SN-0001"), "Contoso", "RoomConsole 10", "SN-0001"));
        Assert.False(DeviceStatement.Verify(publicKey, vector["one valid `verificationInfo`"].Single(), "Contoso", "RoomConsole 10", "SN-0002"));
    }

    [Fact]
    public void The_documented_demo_key_is_the_one_Development_seeds_and_the_emulator_signs_with()
    {
        var vector = Document.Table("test-vector").ToDictionary(row => row[0], row => CodeSpans(row[1])[^1], StringComparer.Ordinal);
        using var portal = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "RoomsPortal.Web", "appsettings.Development.json")));
        using var emulator = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "RoomsPortal.ConsoleEmulator", "appsettings.Development.json")));
        var demo = portal.RootElement.GetProperty("DemoData");

        Assert.Equal(vector["public key (SubjectPublicKeyInfo, DER, base64)"], demo.GetProperty("ManufacturerPublicKey").GetString());
        Assert.Equal(vector["private key (PKCS#8, DER, base64)"], emulator.RootElement.GetProperty("Emulator").GetProperty("ManufacturerPrivateKey").GetString());
        Assert.Equal(("Contoso", "RoomConsole 10"), (demo.GetProperty("Make").GetString(), demo.GetProperty("CertifiedModel").GetString()));
        Assert.Contains("**Development only. This key is public", Document.Text, StringComparison.Ordinal);
    }

    /// <summary>The statuses each ConsoleErrorCodes constant's XML doc starts with ("404: ...", "403 or 409: ...").</summary>
    private static Dictionary<string, int[]> SdkDocumentedStatuses()
    {
        var xml = Path.ChangeExtension(typeof(ConsoleErrorCodes).Assembly.Location, ".xml");
        var prefix = $"F:{typeof(ConsoleErrorCodes).FullName}.";
        return XDocument.Load(xml).Descendants("member")
            .Where(m => ((string)m.Attribute("name")!).StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(
                m => ((string)m.Attribute("name")!)[prefix.Length..],
                m => LeadingStatus().Match(m.Element("summary")!.Value).Groups[1].Value
                    .Split(" or ").Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                StringComparer.Ordinal);
    }

    private static int? PerMinute(string cell) =>
        cell.Trim() == "—" ? null : int.Parse(cell.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static List<string> CodeSpans(string cell) => [.. CodeSpan().Matches(cell).Select(m => m.Groups[1].Value)];

    private static string RepositoryRoot() => Support.RepositoryFiles.PathOf();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"<!-- contract: alphabet -->`([A-Z]+)`")]
    private static partial Regex AlphabetMarker();

    [GeneratedRegex(@"^\s*(\d{3}(?: or \d{3})*):")]
    private static partial Regex LeadingStatus();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")]
    private static partial Regex WireTime();

    /// <summary>The document's marked tables (rows of cells, header and separator dropped) and marked JSON examples.</summary>
    private sealed class ProtocolDocument
    {
        private readonly Dictionary<string, List<string[]>> _tables = new(StringComparer.Ordinal);

        private ProtocolDocument(string text)
        {
            Text = text;
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.StartsWith("<!-- contract: ", StringComparison.Ordinal) && line.EndsWith("-->", StringComparison.Ordinal))
                {
                    var name = line["<!-- contract: ".Length..^"-->".Length].Trim();
                    var rows = lines.Skip(i + 1).TakeWhile(l => l.TrimStart().StartsWith('|')).Skip(2)
                        .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
                        .ToList();
                    Assert.True(rows.Count > 0, $"the table after <!-- contract: {name} --> is missing");
                    Assert.True(_tables.TryAdd(name, rows), $"<!-- contract: {name} --> appears twice");
                }
                else if (line.StartsWith("<!-- example: ", StringComparison.Ordinal))
                {
                    var type = line["<!-- example: ".Length..^"-->".Length].Trim();
                    Assert.Equal("```json", lines[i + 1].Trim());
                    var json = string.Join('\n', lines.Skip(i + 2).TakeWhile(l => l.Trim() != "```"));
                    Examples.Add((type, json));
                }
            }
        }

        public string Text { get; }

        public List<(string Type, string Json)> Examples { get; } = [];

        public static ProtocolDocument Load(string path) => new(File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal));

        public IReadOnlyList<string[]> Table(string name) =>
            _tables.TryGetValue(name, out var rows) ? rows : throw new Xunit.Sdk.XunitException($"docs/console-protocol.md has no <!-- contract: {name} --> table.");
    }
}
