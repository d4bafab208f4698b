using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Devices;
using RoomsPortal.Core.Installation;
using RoomsPortal.Core.Notifications;
using RoomsPortal.Core.Otps;
using RoomsPortal.Core.Preferences;
using RoomsPortal.Core.ResourceAccounts;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Core;

public static class DependencyInjection
{
    /// <summary>
    /// Registers the Core services (all singletons: each operation opens its own short-lived context).
    /// The host must also register:
    /// <list type="bullet">
    /// <item><c>IDbContextFactory&lt;PortalDbContext&gt;</c> (<c>AddPooledDbContextFactory</c> or <c>AddDbContextFactory</c> with the provider's migrations, and
    /// <see cref="NotificationOutboxInterceptor"/> among its interceptors so a commit wakes the notification dispatcher);</item>
    /// <item><c>IDataProtectionProvider</c> (<c>AddDataProtection()</c> with persisted keys: losing them loses the stored passwords);</item>
    /// <item><see cref="IOtpKeyProvider"/> (a key of at least 32 bytes kept outside the database).</item>
    /// </list>
    /// <see cref="TimeProvider.System"/> is added when no <see cref="TimeProvider"/> is registered; logging is expected.
    /// </summary>
    public static IServiceCollection AddCoreServices(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IProvisioningNotifier, InProcessProvisioningNotifier>();
        services.TryAddSingleton<SignInDataProtector>();
        services.TryAddSingleton<DeviceVerificationService>();
        services.TryAddSingleton<AgreementService>();
        services.TryAddSingleton<DeviceCatalogService>();
        services.TryAddSingleton<ApiKeyService>();
        services.TryAddSingleton<IdempotencyKeys>();
        services.TryAddSingleton<RoomGroupService>();
        services.TryAddSingleton<ResourceAccountService>();
        services.TryAddSingleton<PreferencesService>();
        services.TryAddSingleton<OtpService>();
        services.TryAddSingleton<ApprovalService>();
        services.TryAddSingleton<ManualSetupService>();
        services.TryAddSingleton<AuditService>();
        services.TryAddSingleton<DashboardService>();
        services.TryAddSingleton<DeviceInventoryService>();
        services.TryAddSingleton<VerificationFailureService>();
        services.TryAddSingleton<KeyFingerprintService>();
        services.AddOptions<NotificationOptions>();
        services.TryAddSingleton<NotificationChannelService>();
        services.TryAddSingleton<NotificationDispatchStore>();
        services.TryAddSingleton<NotificationOutboxPurge>();
        services.TryAddSingleton<OtpExpiryNotices>();
        services.TryAddSingleton<NotificationRecipients>();
        services.TryAddSingleton<NotificationOutboxSignal>();
        services.TryAddSingleton<NotificationOutboxInterceptor>();
        return services;
    }
}
