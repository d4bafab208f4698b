using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Verification;
using RoomsPortal.Migrations.Sqlite;

namespace RoomsPortal.MicroBench;

/// <summary>
/// The three units of work a console's setup writes, one console per invocation, called on the Core services as the
/// console API calls them, over a SQLite file configured as the portal's (<c>UsePortalSqlite</c>, pooled contexts,
/// pooled connections): a verification (new credential), the end user agreement's acceptance, a redemption with auto
/// approval on (device recorded, audit, notification outbox). No HTTP, no other load: what one unit costs the process
/// that runs it, and on SQLite, how long it holds the file's one writer turn. Each iteration prepares its own consoles
/// (signed statements, credentials, fresh accounts and codes) before it starts, outside the measurement.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 12, invocationCount: Consoles)]
public class ConsolePathBenchmarks
{
    private const int Consoles = 320;
    private const string GroupName = "Microbench";
    private static readonly Actor Admin = Actor.User("microbench", "Micro Bench");

    private readonly ECDsa _manufacturer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private string _directory = "";
    private PooledDbContextFactory<PortalDbContext> _factory = default!;
    private DeviceVerificationService _verification = default!;
    private AgreementService _agreements = default!;
    private ApprovalService _approvals = default!;
    private ResourceAccountService _accounts = default!;
    private OtpService _otps = default!;
    private InProcessProvisioningNotifier _notifier = default!;
    private string _agreementVersion = "";
    private int _serial;
    private int _next;

    private (DeviceIdentity Device, string Statement)[] _toVerify = [];
    private Guid[] _sessions = [];
    private (string Code, DeviceInfo Device)[] _toRedeem = [];

    [GlobalSetup]
    public void Start() => StartAsync().GetAwaiter().GetResult();

    private async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("roomsportal-microbench-").FullName;
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalSqlite($"Data Source={Path.Combine(_directory, "portal.db")}");
        _factory = new PooledDbContextFactory<PortalDbContext>(options.Options);
        await using (var db = await _factory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        var time = TimeProvider.System;
        var protector = new SignInDataProtector(new EphemeralDataProtectionProvider());
        var keys = new StaticOtpKeyProvider(RandomNumberGenerator.GetBytes(32));
        _notifier = new InProcessProvisioningNotifier(NullLogger<InProcessProvisioningNotifier>.Instance);
        _verification = new DeviceVerificationService(_factory, time);
        _agreements = new AgreementService(_factory, time);
        _approvals = new ApprovalService(_factory, keys, protector, _notifier, time);
        _accounts = new ResourceAccountService(_factory, protector, time);
        _otps = new OtpService(_factory, keys, protector, _notifier, time);

        var catalog = new DeviceCatalogService(_factory, time);
        Check((await catalog.AddCertifiedModelAsync("Contoso", "RoomConsole 10", Admin)).Succeeded, "certified model");
        Check((await catalog.AddManufacturerKeyAsync("Contoso", "factory", Convert.ToBase64String(_manufacturer.ExportSubjectPublicKeyInfo()), Admin)).Succeeded, "manufacturer key");
        Check((await new RoomGroupService(_factory, time).CreateAsync(GroupName, Admin)).Succeeded, "room group");
        var preferences = new PreferencesService(_factory, time);
        var current = await preferences.GetAsync();
        Check((await preferences.UpdateAsync(current with { AutoApproval = true }, Admin)).Succeeded, "auto approval");
        _agreementVersion = (await _agreements.GetCurrentAsync()).Version;
    }

    [GlobalCleanup]
    public void Stop()
    {
        _notifier.Dispose();
        _manufacturer.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup(Target = nameof(Verify))]
    public void PrepareVerify()
    {
        _next = 0;
        _toVerify = [.. Enumerable.Range(0, Consoles).Select(_ => Signed(NewDevice()))];
    }

    [IterationSetup(Target = nameof(Accept))]
    public void PrepareAccept() => PrepareAcceptAsync().GetAwaiter().GetResult();

    private async Task PrepareAcceptAsync()
    {
        _next = 0;
        _sessions = new Guid[Consoles];
        for (var i = 0; i < Consoles; i++)
        {
            var (device, statement) = Signed(NewDevice());
            var verified = await _verification.VerifyAsync(device, statement, "127.0.0.1");
            Check(verified.Succeeded, "verification while preparing");
            _sessions[i] = verified.SessionId!.Value;
        }
    }

    [IterationSetup(Target = nameof(Redeem))]
    public void PrepareRedeem() => PrepareRedeemAsync().GetAwaiter().GetResult();

    private async Task PrepareRedeemAsync()
    {
        _next = 0;
        var first = _serial;
        var csv = "upn,display name,room group\n" + string.Concat(Enumerable.Range(first, Consoles).Select(i => $"room{i}@microbench.example.com,Room {i},{GroupName}\n"));
        var imported = await _accounts.ImportAsync(csv, Admin, AccessScope.All);
        Check(imported.Succeeded, "import: " + string.Join("; ", imported.Errors));
        await using var db = await _factory.CreateDbContextAsync();
        var upns = Enumerable.Range(first, Consoles).Select(i => $"room{i}@microbench.example.com").ToList();
        var ids = await db.Set<ResourceAccount>().Where(a => upns.Contains(a.Upn)).Select(a => a.Id).ToListAsync();
        var batch = await _otps.GenerateAsync(new OtpBatchRequest(ids, OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All);
        Check(batch.Succeeded, "OTP batch: " + batch.Error);
        _toRedeem = [.. batch.Value!.Items.Select(o =>
        {
            var device = NewDevice();
            return (o.Code, new DeviceInfo(device.SerialNumber, device.Make, device.Model, device.FirmwareVersion));
        })];
    }

    /// <summary>POST /api/console/v1/verify after its checks: the certified model and key read, the signature checked, the credential written.</summary>
    [Benchmark]
    public async Task Verify()
    {
        var (device, statement) = _toVerify[_next++];
        Check((await _verification.VerifyAsync(device, statement, "127.0.0.1")).Succeeded, "verification");
    }

    /// <summary>POST /api/console/v1/agreement: the acceptance recorded on the credential, with its audit entry.</summary>
    [Benchmark]
    public async Task Accept() =>
        Check((await _agreements.AcceptAsync(_sessions[_next++], _agreementVersion)).Succeeded, "acceptance");

    /// <summary>POST /api/console/v1/redeem with auto approval on: the code claimed, the device recorded, request, outbox and audit.</summary>
    [Benchmark]
    public async Task Redeem()
    {
        var (code, device) = _toRedeem[_next++];
        Check((await _approvals.RedeemAsync(code, device, "127.0.0.1")).Succeeded, "redemption");
    }

    private DeviceIdentity NewDevice() => new("Contoso", "RoomConsole 10", $"MB-{++_serial:D8}", "1.0.0");

    private (DeviceIdentity, string) Signed(DeviceIdentity device)
    {
        var signature = _manufacturer.SignData(
            DeviceStatement.Payload(device.Make, device.Model, device.SerialNumber), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return (device, Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
    }

    private static void Check(bool succeeded, string what)
    {
        if (!succeeded)
        {
            throw new InvalidOperationException($"The micro-benchmark's {what} failed: the benchmark measures the success path only.");
        }
    }
}
