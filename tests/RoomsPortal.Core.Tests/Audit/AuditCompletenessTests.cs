using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Installation;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Audit;

/// <summary>
/// Every state change through a Core service writes an audit entry. THE RULE: a Core service is every type
/// <c>AddCoreServices</c> registers; each of its public instance methods returning a Task is a read when its name starts
/// with Get, List, Find, Query, Export or Counts, and a change otherwise. Every change needs a row in <see cref="Calls"/>
/// (which arranges what the call needs, then makes it; the test checks the audit log grew) or a reason in
/// <see cref="NotAudited"/>. A new service method with neither fails <see cref="Every_state_changing_method_has_a_call_or_a_reason"/>.
/// Web's operations outside Core (user administration over Identity) have the same test in the Web tests.
/// </summary>
public sealed class AuditCompletenessTests
{
    private static readonly string[] ReadPrefixes = ["Get", "List", "Find", "Query", "Export", "Counts"];

    private static readonly Dictionary<string, string> NotAudited = new(StringComparer.Ordinal)
    {
        ["DeviceVerificationService.VerifyAsync"] = "A console proving itself before anyone acts: a failure is kept for the helpdesk (Verification failures), a success becomes a console session. No person changes anything.",
        ["AuditService.PurgeAsync"] = "Retention: deletes audit entries past 180 days. Writing the deletion into the log it shrinks defeats it; the maintenance job logs it.",
        ["InProcessProvisioningNotifier.PublishAsync"] = "Carries events after a commit; writes nothing.",
        ["InProcessProvisioningNotifier.FlushAsync"] = "Waits until queued events are delivered; writes nothing.",
        ["ApiKeyService.AuthenticateAsync"] = "Checks a key on every API call; records only its last use (time and address). What the call changes is audited by the operation under the key's name.",
        ["IdempotencyKeys.ReserveAsync"] = "API bookkeeping: remembers an Idempotency-Key so a retry issues nothing; the batch it guards is audited (Otps.Generated).",
        ["IdempotencyKeys.CompleteAsync"] = "As above: records which batch the key issued.",
        ["IdempotencyKeys.ReleaseAsync"] = "As above: frees the key of a call that issued nothing.",
        ["AgreementService.IsCurrentAsync"] = "A read: compares a version with the current agreement's.",
        ["DeviceVerificationService.LiveSessionsAsync"] = "A read: which console credentials are still live (the hub's sweep).",
        ["DeviceVerificationService.IsLiveAsync"] = "A read: whether one console credential is still live (a hub call's check).",
        ["NotificationDispatchStore.ClaimDueAsync"] = "Dispatcher bookkeeping: takes a delivery's lease; the delivery log shows each attempt.",
        ["NotificationDispatchStore.ClaimDigestsAsync"] = "Dispatcher bookkeeping: takes the leases of a digest's deliveries; the delivery log shows each attempt.",
        ["NotificationDispatchStore.CompleteAsync"] = "Dispatcher bookkeeping: records an attempt in the delivery log.",
        ["NotificationDispatchStore.FailAsync"] = "Records an attempt in the delivery log; when it disables the channel after a day of failures it audits that (NotificationDispatchStoreTests).",
        ["OtpExpiryNotices.WriteDueAsync"] = "Writes outbox rows about codes running out; nothing a person changed (the delivery log shows them).",
        ["NotificationOutboxPurge.PurgeIfDueAsync"] = "Retention: deletes delivered and given-up outbox rows past Notifications:OutboxRetention; the dispatcher logs how many.",
        ["NotificationOutboxPurge.PurgeAsync"] = "As above.",
        ["NotificationOutboxSignal.WaitAsync"] = "Waits for a commit's wake-up or the poll interval; writes nothing.",
        ["NotificationOutboxInterceptor.SaveChangesFailedAsync"] = "EF Core's interceptor callback: forgets a wake-up; writes nothing.",
        ["NotificationOutboxInterceptor.TransactionCommittedAsync"] = "EF Core's interceptor callback: wakes the dispatcher after a commit; writes nothing.",
        ["NotificationOutboxInterceptor.TransactionRolledBackAsync"] = "EF Core's interceptor callback: forgets a wake-up; writes nothing.",
        ["NotificationOutboxInterceptor.TransactionFailedAsync"] = "As above.",
    };

    /// <summary>Method key: arrange what the call needs, then return the call to measure.</summary>
    private static readonly Dictionary<string, Func<Subject, Task<Func<Task>>>> Calls = new(StringComparer.Ordinal)
    {
        ["RoomGroupService.CreateAsync"] = s => Act(() => s.H.RoomGroups.CreateAsync("New", Admin, Ct)),
        ["RoomGroupService.RenameAsync"] = async s =>
        {
            var group = await s.H.GroupAsync("Old");
            return () => s.H.RoomGroups.RenameAsync(group.Id, "New", Admin, AccessScope.All, Ct);
        },
        ["RoomGroupService.DeleteAsync"] = async s =>
        {
            var group = await s.H.GroupAsync("Empty");
            return () => s.H.RoomGroups.DeleteAsync(group.Id, Admin, Ct);
        },
        ["RoomGroupService.AssignAccountsAsync"] = async s =>
        {
            var (_, account, _) = await s.H.OneOtpAsync();
            var other = await s.H.GroupAsync("Other");
            return () => s.H.RoomGroups.AssignAccountsAsync([account.Id], other.Id, Admin, AccessScope.All, Ct);
        },
        ["ResourceAccountService.ImportAsync"] = s => Act(() => s.H.Accounts.ImportAsync(
            "upn,display name,room group\nroom@contoso.com,Room,New group\n", Admin, AccessScope.All, new ImportOptions(true), Ct)),
        ["ResourceAccountService.SetEnabledAsync"] = async s =>
        {
            var (_, account, _) = await s.H.OneOtpAsync();
            return () => s.H.Accounts.SetEnabledAsync(account.Id, false, Admin, AccessScope.All, Ct);
        },
        ["NotificationChannelService.CreateAsync"] = s => Act(() => s.Channels.CreateAsync(s.NewChannel("New"), Admin, Ct)),
        ["NotificationChannelService.SetEnabledAsync"] = async s =>
        {
            var id = await s.ChannelAsync();
            return () => s.Channels.SetEnabledAsync(id, false, Admin, Ct);
        },
        ["NotificationChannelService.RotateSecretAsync"] = async s =>
        {
            var id = await s.ChannelAsync();
            return () => s.Channels.RotateSecretAsync(id, Admin, Ct);
        },
        ["NotificationChannelService.DeleteAsync"] = async s =>
        {
            var id = await s.ChannelAsync();
            return () => s.Channels.DeleteAsync(id, Admin, Ct);
        },
        ["NotificationChannelService.SendTestAsync"] = async s =>
        {
            var id = await s.ChannelAsync();
            return () => s.Channels.SendTestAsync(id, Admin, Ct);
        },
        ["NotificationChannelService.SetDigestAsync"] = async s =>
        {
            var id = (await s.Channels.CreateAsync(new NewNotificationChannel(NotificationChannelKind.Email, "Mail", null, null, [NotificationEventTypes.RequestPending]), Admin, Ct)).Value!.Channel.Id;
            return () => s.Channels.SetDigestAsync(id, 60, Admin, Ct);
        },
        ["NotificationChannelService.RedeliverAsync"] = async s =>
        {
            var id = await s.ChannelAsync();
            await s.Channels.SendTestAsync(id, Admin, Ct);
            var delivery = (await s.Channels.ListDeliveriesAsync(id, 1, 10, Ct)).Items[0];
            return () => s.Channels.RedeliverAsync(delivery.Id, Admin, Ct);
        },
        ["PreferencesService.UpdateAsync"] = async s =>
        {
            var current = await s.H.Preferences.GetAsync(Ct);
            return () => s.H.Preferences.UpdateAsync(current with { AutoApproval = true }, Admin, Ct);
        },
        ["OtpService.GenerateAsync"] = async s =>
        {
            var group = await s.H.GroupAsync("HQ");
            var account = (await s.H.AccountsAsync(group, "room@hq.example.com"))[0];
            return () => s.H.Otps.GenerateAsync(new OtpBatchRequest([account.Id], OtpPasswordMode.GeneratePasswords), Admin, AccessScope.All, Ct);
        },
        ["ApiKeyService.CreateAsync"] = s => Act(() => s.ApiKeys.CreateAsync(new NewApiKey("script", "RoomsProManager", []), Admin, Ct)),
        ["ApiKeyService.RevokeAsync"] = async s =>
        {
            var key = await s.ApiKeys.CreateAsync(new NewApiKey("script", "RoomsProManager", []), Admin, Ct);
            return () => s.ApiKeys.RevokeAsync(key.Value.View!.Id, Admin, Ct);
        },
        ["OtpService.StartRunAsync"] = s => Act(() => s.H.Otps.StartRunAsync(1, OtpPasswordMode.GeneratePasswords, Admin, Ct)),
        ["OtpService.MarkShownAsync"] = async s =>
        {
            var run = await s.H.Otps.StartRunAsync(1, OtpPasswordMode.GeneratePasswords, Admin, Ct);
            return () => s.H.Otps.MarkShownAsync(run, Admin, Ct);
        },
        ["OtpService.RecordSheetsDownloadedAsync"] = s => Act(() => s.H.Otps.RecordSheetsDownloadedAsync(Guid.NewGuid(), 3, withCodes: true, Admin, Ct)),
        ["OtpService.AbandonRunAsync"] = async s =>
        {
            var run = await s.H.Otps.StartRunAsync(1, OtpPasswordMode.GeneratePasswords, Admin, Ct);
            return () => s.H.Otps.AbandonRunAsync(run, Admin, Ct);
        },
        ["OtpService.RevokeAsync"] = async s =>
        {
            var (_, _, otp) = await s.H.OneOtpAsync();
            return () => s.H.Otps.RevokeAsync(otp.OtpId, Admin, AccessScope.All, Ct);
        },
        ["ApprovalService.RedeemAsync"] = async s =>
        {
            var (_, _, otp) = await s.H.OneOtpAsync();
            return () => s.H.Approvals.RedeemAsync(otp.Code, Console1, "10.0.0.5", Ct);
        },
        ["ApprovalService.ApproveAsync"] = async s =>
        {
            var request = await PendingAsync(s);
            return () => s.H.Approvals.ApproveAsync(request, Admin, AccessScope.All, Ct);
        },
        ["ApprovalService.RejectAsync"] = async s =>
        {
            var request = await PendingAsync(s);
            return () => s.H.Approvals.RejectAsync(request, RejectReason.SecurityConcern, "Unknown serial", Admin, AccessScope.All, Ct);
        },
        ["ApprovalService.ExpireDueAsync"] = async s =>
        {
            await PendingAsync(s);
            s.H.Time.Advance(TimeSpan.FromHours(9));
            return () => s.H.Approvals.ExpireDueAsync(Ct);
        },
        ["ApprovalService.ClaimSignInDataAsync"] = async s =>
        {
            var request = await PendingAsync(s);
            await s.H.Approvals.ApproveAsync(request, Admin, AccessScope.All, Ct);
            return () => s.H.Approvals.ClaimSignInDataAsync(request, Console1.Key, Ct);
        },
        ["ManualSetupService.ManualSignInAsync"] = async s =>
        {
            var group = await s.H.GroupAsync("HQ");
            await s.H.AccountsAsync(group, "room@hq.example.com");
            return () => s.H.ManualSetup.ManualSignInAsync("room@hq.example.com", "Initial-Pass-1", Console1, "10.0.0.5", Ct);
        },
        ["AuditService.RecordAsync"] = s => Act(() => s.H.Audit.RecordAsync(Admin, AuditCategory.Security, AuditOperations.SignedIn, "admin", AuditResult.Successful, ct: Ct)),
        ["DeviceCatalogService.AddManufacturerKeyAsync"] = s => Act(() => s.Catalog.AddManufacturerKeyAsync("Contoso", "2026", s.PublicKeyPem, Admin, Ct)),
        ["DeviceCatalogService.RevokeKeyAsync"] = async s =>
        {
            var key = await s.Catalog.AddManufacturerKeyAsync("Contoso", "2026", s.PublicKeyPem, Admin, Ct);
            return () => s.Catalog.RevokeKeyAsync(key.Value!.Id, Admin, Ct);
        },
        ["DeviceCatalogService.AddCertifiedModelAsync"] = s => Act(() => s.Catalog.AddCertifiedModelAsync("Contoso", "RoomConsole 10", Admin, Ct)),
        ["DeviceCatalogService.RemoveCertifiedModelAsync"] = async s =>
        {
            var model = await s.Catalog.AddCertifiedModelAsync("Contoso", "RoomConsole 10", Admin, Ct);
            return () => s.Catalog.RemoveCertifiedModelAsync(model.Value!.Id, Admin, Ct);
        },
        ["AgreementService.PublishAsync"] = s => Act(() => s.Agreements.PublishAsync("2026-11", "You agree.", s.H.Time.GetUtcNow(), Admin, Ct)),
        ["AgreementService.DeleteAsync"] = async s =>
        {
            var scheduled = await s.Agreements.PublishAsync("2027-01", "Next year.", s.H.Time.GetUtcNow().AddDays(30), Admin, Ct);
            return () => s.Agreements.DeleteAsync(scheduled.Value!.Id!.Value, Admin, Ct);
        },
        ["AgreementService.AcceptAsync"] = async s =>
        {
            var session = await s.VerifiedSessionAsync();
            return () => s.Agreements.AcceptAsync(session, AgreementService.BuiltIn.Version, Ct);
        },
        ["VerificationFailureService.ResolveAsync"] = async s =>
        {
            var failed = await s.Verification.VerifyAsync(new DeviceIdentity("Contoso", "RoomConsole 10", "SN-9", null), null, null, Ct);
            return () => s.Failures.ResolveAsync(failed.FailureId!.Value, "Reconnected the HDMI ingest module.", Admin, Ct);
        },
        ["KeyFingerprintService.CheckAsync"] = async s =>
        {
            await s.KeyCheck(new EphemeralDataProtectionProvider()).CheckAsync(acceptNewKeys: false, Ct);
            var replaced = s.KeyCheck(new EphemeralDataProtectionProvider());
            return () => replaced.CheckAsync(acceptNewKeys: true, Ct);
        },
    };

    public static TheoryData<string> CallKeys => [.. Calls.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_state_changing_method_has_a_call_or_a_reason()
    {
        var changes = StateChangingMethods().ToList();

        var missing = changes.Except(Calls.Keys).Except(NotAudited.Keys).ToList();
        var stale = Calls.Keys.Concat(NotAudited.Keys).Except(changes).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"Core methods that change state with no call in AuditCompletenessTests.Calls (add one that makes the change, or a reason in NotAudited): {string.Join(", ", missing)}\n"
            + $"Rows that match no method: {string.Join(", ", stale)}");
    }

    [Theory]
    [MemberData(nameof(CallKeys))]
    public async Task Each_state_change_writes_an_audit_entry(string method)
    {
        await using var subject = await Subject.CreateAsync();
        var call = await Calls[method](subject);
        var before = await subject.H.AuditTotalAsync();

        await call();

        Assert.True(await subject.H.AuditTotalAsync() > before, $"{method} changed state without writing an audit entry.");
    }

    /// <summary>Keys ("Type.Method") of every Core service method that is not a read.</summary>
    internal static IEnumerable<string> StateChangingMethods()
    {
        var services = new ServiceCollection().AddCoreServices();
        var types = services.Select(d => d.ImplementationType).OfType<Type>()
            .Where(t => t.Assembly == typeof(AuditEntry).Assembly)
            .Distinct();
        return types.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType) && !ReadPrefixes.Any(p => m.Name.StartsWith(p, StringComparison.Ordinal)))
                .Select(m => $"{t.Name}.{m.Name}"))
            .Distinct()
            .Order(StringComparer.Ordinal);
    }

    private static Task<Func<Task>> Act(Func<Task> call) => Task.FromResult(call);

    private static async Task<Guid> PendingAsync(Subject s)
    {
        var (_, _, otp) = await s.H.OneOtpAsync();
        var redeemed = await s.H.Approvals.RedeemAsync(otp.Code, Console1, "10.0.0.5", Ct);
        return redeemed.Value!.RequestId;
    }

    private sealed class Subject : IAsyncDisposable
    {
        private readonly ECDsa _manufacturer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        private Subject(ProvisioningHarness harness)
        {
            H = harness;
            Catalog = new DeviceCatalogService(harness.Database, harness.Time);
            Agreements = new AgreementService(harness.Database, harness.Time);
            Verification = new DeviceVerificationService(harness.Database, harness.Time);
            Failures = new VerificationFailureService(harness.Database, harness.Time);
            ApiKeys = new ApiKeyService(harness.Database, harness.Time);
            Channels = new NotificationChannelService(
                harness.Database, new EphemeralDataProtectionProvider(), Microsoft.Extensions.Options.Options.Create(Notifications.NotificationOutboxTests.Settings), harness.Time);
        }

        public NotificationChannelService Channels { get; }

        public NewNotificationChannel NewChannel(string name) =>
            new(NotificationChannelKind.Webhook, name, "https://hooks.example.com/x", null, [NotificationEventTypes.RequestPending]);

        public async Task<Guid> ChannelAsync() => (await Channels.CreateAsync(NewChannel("Existing"), Admin, Ct)).Value!.Channel.Id;

        public ApiKeyService ApiKeys { get; }

        public ProvisioningHarness H { get; }

        public DeviceCatalogService Catalog { get; }

        public AgreementService Agreements { get; }

        public DeviceVerificationService Verification { get; }

        public VerificationFailureService Failures { get; }

        public string PublicKeyPem => _manufacturer.ExportSubjectPublicKeyInfoPem();

        public static async Task<Subject> CreateAsync() => new(await ProvisioningHarness.CreateAsync());

        public KeyFingerprintService KeyCheck(IDataProtectionProvider keyRing) =>
            new(H.Database, new StaticOtpKeyProvider(RandomNumberGenerator.GetBytes(32)), keyRing, H.Time);

        public async Task<Guid> VerifiedSessionAsync()
        {
            await Catalog.AddCertifiedModelAsync("Contoso", "RoomConsole 10", Admin, Ct);
            await Catalog.AddManufacturerKeyAsync("Contoso", "2026", PublicKeyPem, Admin, Ct);
            var payload = DeviceStatement.Payload("Contoso", "RoomConsole 10", "SN-1");
            var statement = Convert.ToBase64String(_manufacturer.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var verified = await Verification.VerifyAsync(new DeviceIdentity("Contoso", "RoomConsole 10", "SN-1", null), statement, null, Ct);
            return verified.SessionId!.Value;
        }

        public async ValueTask DisposeAsync()
        {
            _manufacturer.Dispose();
            await H.DisposeAsync();
        }
    }
}
