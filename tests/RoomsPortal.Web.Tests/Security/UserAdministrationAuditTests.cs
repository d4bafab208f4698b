using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Testing;
using RoomsPortal.Web.Security;

namespace RoomsPortal.Web.Tests.Security;

/// <summary>
/// Web's own state changes (user administration over ASP.NET Core Identity, sign-in events) are audited, naming who,
/// what and before -> after. THE RULE, as for Core (tests/RoomsPortal.Core.Tests/Audit/AuditCompletenessTests): every
/// type of the Web assembly that <c>AddWebServices</c> registers; each public instance method returning a Task is a read
/// when its name starts with Get, List, Find, Query or Export, and a change otherwise, unless it answers the framework
/// (implements a framework interface or overrides a framework method: hosted services, health checks, Identity's
/// sign-in manager). Every change needs a row in <see cref="Calls"/> or a reason in
/// <see cref="NotAudited"/>.
/// </summary>
public sealed class UserAdministrationAuditTests : IAsyncLifetime
{
    private static readonly string[] ReadPrefixes = ["Get", "List", "Find", "Query", "Export"];
    private static readonly Actor Admin = Actor.User("manager-1", "Mia Manager");

    private static readonly Dictionary<string, string> NotAudited = new(StringComparer.Ordinal)
    {
        ["LoggingSignInAuditor.SignInSucceededAsync"] = "Writes the log only; AuditLogSignInAuditor, registered as ISignInAuditor, calls it and writes the audit entry.",
        ["LoggingSignInAuditor.SignInFailedAsync"] = "As above.",
        ["LoggingSignInAuditor.SignedOutAsync"] = "As above.",
        ["LoggingSignInAuditor.PasswordChangedAsync"] = "As above.",
        ["ConsoleConnections.CloseEndedAsync"] = "Closes this node's hub connections whose credential already ended; the database is not changed (the revocation was audited where it happened).",
        ["DecisionSubmitter.SubmitAsync"] = "Calls ApprovalService.ApproveAsync or RejectAsync, which write the entry (rows in the Core table).",
        ["WebhookSender.SendAsync"] = "Sends an outbox event to a receiver; changes nothing in the portal. The dispatcher records the attempt in the delivery log (NotificationDispatchStore).",
        ["TeamsSender.SendAsync"] = "As above, to Teams.",
        ["EmailSender.SendAsync"] = "As above, by email.",
        ["EmailSender.SendDigestAsync"] = "As above, a digest of several events by email.",
        ["SmtpSessions.RentAsync"] = "Opens or reuses this node's SMTP session for the email sender; changes nothing in the portal.",
        ["SmtpSessions.ReturnAsync"] = "Keeps or closes that SMTP session; changes nothing in the portal.",
    };

    private static readonly Dictionary<string, Func<PortalFactory, Task<Func<Task>>>> Calls = new(StringComparer.Ordinal)
    {
        ["UserAdministration.CreateAsync"] = portal => Act(() => Users(portal).CreateAsync(new NewPortalUser("lea", "Lea Lead", PortalRoles.SiteLead, []), Admin, ct: Ct)),
        ["UserAdministration.AssignAsync"] = async portal =>
        {
            var id = await portal.CreateUserAsync("lea", "lea-password-0001", PortalRoles.SiteLead);
            return () => Users(portal).AssignAsync(id, PortalRoles.RoomsProManager, [], Admin, Ct);
        },
        ["UserAdministration.ResetPasswordAsync"] = async portal =>
        {
            var id = await portal.CreateUserAsync("lea", "lea-password-0001", PortalRoles.SiteLead);
            return () => Users(portal).ResetPasswordAsync(id, Admin, Ct);
        },
        ["UserAdministration.SetDisabledAsync"] = async portal =>
        {
            var id = await portal.CreateUserAsync("lea", "lea-password-0001", PortalRoles.SiteLead);
            return () => Users(portal).SetDisabledAsync(id, disabled: true, Admin, Ct);
        },
        ["UserAdministration.SetEmailAsync"] = async portal =>
        {
            var id = await portal.CreateUserAsync("lea", "lea-password-0001", PortalRoles.SiteLead);
            return () => Users(portal).SetEmailAsync(id, "lea@contoso.example", Admin, Ct);
        },
        ["AuditLogSignInAuditor.SignInSucceededAsync"] = portal => Act(() => Auditor(portal).SignInSucceededAsync("u1", "lea", "10.0.0.1", Ct)),
        ["AuditLogSignInAuditor.SignInFailedAsync"] = portal => Act(() => Auditor(portal).SignInFailedAsync("lea", SignInFailure.InvalidCredentials, "10.0.0.1", Ct)),
        ["AuditLogSignInAuditor.SignedOutAsync"] = portal => Act(() => Auditor(portal).SignedOutAsync("u1", "lea", Ct)),
        ["AuditLogSignInAuditor.PasswordChangedAsync"] = portal => Act(() => Auditor(portal).PasswordChangedAsync("u1", "lea", Ct)),
    };

    private readonly PortalFactory _portal = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> CallKeys => [.. Calls.Keys.Order(StringComparer.Ordinal)];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public void Every_state_changing_web_operation_has_a_call_or_a_reason()
    {
        var changes = StateChangingMethods().ToList();

        var missing = changes.Except(Calls.Keys).Except(NotAudited.Keys).ToList();
        var stale = Calls.Keys.Concat(NotAudited.Keys).Except(changes).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"Web operations that change state with no call in UserAdministrationAuditTests.Calls: {string.Join(", ", missing)}\n"
            + $"Rows that match no method: {string.Join(", ", stale)}");
    }

    [Theory]
    [MemberData(nameof(CallKeys))]
    public async Task Each_web_operation_writes_an_audit_entry(string method)
    {
        var call = await Calls[method](_portal);
        var before = await AuditCountAsync();

        await call();

        Assert.True(await AuditCountAsync() > before, $"{method} changed state without writing an audit entry.");
    }

    [Fact]
    public async Task Each_user_change_names_who_which_user_and_before_and_after_and_never_the_password()
    {
        var north = await _portal.CreateRoomGroupAsync("North");
        var south = await _portal.CreateRoomGroupAsync("South");
        var users = Users(_portal);

        var (password, _, _) = await users.CreateAsync(new NewPortalUser("lea", "Lea Lead", PortalRoles.SiteLead, [south, north]), Admin, ct: Ct);
        var id = (await users.ListAsync(Ct)).Single(u => u.UserName == "lea").Id;
        Assert.Null(await users.AssignAsync(id, PortalRoles.RoomsProManager, [north], Admin, Ct));
        var (reset, _) = await users.ResetPasswordAsync(id, Admin, Ct);
        Assert.Null(await users.SetDisabledAsync(id, disabled: true, Admin, Ct));
        Assert.Null(await users.SetDisabledAsync(id, disabled: false, Admin, Ct));

        var entries = (await AuditAsync()).Where(e => e.Target == "lea").OrderBy(e => e.OccurredAt).ThenBy(e => e.Operation).ToList();
        Assert.All(entries, e => Assert.Equal(("manager-1", "Mia Manager", AuditCategory.Users), (e.ActorId, e.ActorName, e.Category)));
        Assert.Equal(
            [
                (AuditOperations.UserCreated, "User lea ('Lea Lead'): none -> role Site Lead, room groups 'North', 'South'; must choose a new password at first sign-in"),
                (AuditOperations.UserRoleChanged, "Role Site Lead -> Rooms Pro Manager; room groups 'North', 'South' -> every room group"),
                (AuditOperations.UserPasswordReset, "Password -> a new one-time password handed over by Mia Manager; must choose a new one at next sign-in; signed-in sessions ended; lockout none"),
                (AuditOperations.UserDisabled, "Sign-in enabled -> disabled; signed-in sessions ended"),
                (AuditOperations.UserEnabled, "Sign-in disabled -> enabled"),
            ],
            entries.Select(e => (e.Operation, e.Details)).OrderBy(e => Array.IndexOf(Order, e.Operation)));
        Assert.All(entries, e => Assert.DoesNotContain(password!, e.Details!, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain(reset!, e.Details!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_change_to_nothing_and_a_refused_change_write_no_entry_and_no_user()
    {
        var users = Users(_portal);
        var id = await _portal.CreateUserAsync("tech", "tech-password-0001", PortalRoles.Helpdesk);
        var before = await AuditCountAsync();

        Assert.Null(await users.AssignAsync(id, PortalRoles.Helpdesk, [], Admin, Ct));
        Assert.Null(await users.SetDisabledAsync(id, disabled: false, Admin, Ct));
        var (_, shortPassword, _) = await users.CreateAsync(new NewPortalUser("short", null, PortalRoles.Helpdesk, []), Admin, "short", ct: Ct);
        var (_, spoofed, detail) = await users.CreateAsync(new NewPortalUser("spoof", "Admin \u202Enimda", PortalRoles.Helpdesk, []), Admin, ct: Ct);

        Assert.Equal(UserChangeError.InvalidPassword, shortPassword);
        Assert.Equal(UserChangeError.InvalidDisplayName, spoofed);
        Assert.StartsWith("The display name contains an invisible formatting character (U+202E) at position 7.", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(await users.ListAsync(Ct), u => u.UserName is "short" or "spoof");
        Assert.Equal(before, await AuditCountAsync());
    }

    private static readonly string[] Order =
        [AuditOperations.UserCreated, AuditOperations.UserRoleChanged, AuditOperations.UserPasswordReset, AuditOperations.UserDisabled, AuditOperations.UserEnabled];

    private static IEnumerable<string> StateChangingMethods()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddWebServices();
        var web = typeof(UserAdministration).Assembly;
        var types = builder.Services
            .Select(d => d.ImplementationType ?? d.ImplementationInstance?.GetType())
            .OfType<Type>()
            .Where(t => t.Assembly == web)
            .Distinct();
        return types.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType)
                    && !ReadPrefixes.Any(p => m.Name.StartsWith(p, StringComparison.Ordinal))
                    && !AnswersTheFramework(t, m))
                .Select(m => $"{t.Name}.{m.Name}"))
            .Distinct()
            .Order(StringComparer.Ordinal);
    }

    // Hosted services, health checks and Identity's sign-in manager overrides answer the framework's calls; the
    // portal's changes go through its own methods.
    private static bool AnswersTheFramework(Type type, MethodInfo method) =>
        !IsPortal(method.GetBaseDefinition().DeclaringType!.Assembly)
        || type.GetInterfaces().Where(i => !IsPortal(i.Assembly)).Any(i => type.GetInterfaceMap(i).TargetMethods.Contains(method));

    private static bool IsPortal(Assembly assembly) => (assembly.GetName().Name ?? string.Empty).StartsWith("RoomsPortal", StringComparison.Ordinal);

    private static Task<Func<Task>> Act(Func<Task> call) => Task.FromResult(call);

    private static UserAdministration Users(PortalFactory portal) => portal.Services.GetRequiredService<UserAdministration>();

    private static ISignInAuditor Auditor(PortalFactory portal) => portal.Services.GetRequiredService<ISignInAuditor>();

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync() =>
        (await _portal.Services.GetRequiredService<AuditService>().QueryAsync(new AuditQuery(PageSize: 200), Ct)).Items;

    private async Task<int> AuditCountAsync() =>
        (await _portal.Services.GetRequiredService<AuditService>().QueryAsync(new AuditQuery(PageSize: 1), Ct)).TotalCount;
}
