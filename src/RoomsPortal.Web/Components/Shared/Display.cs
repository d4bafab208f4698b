using System.Globalization;
using Microsoft.JSInterop;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Web.Components.Shared;

/// <summary>How pages put values into words, so every page says them the same way.</summary>
public static class Display
{
    public static string When(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string When(DateTimeOffset? value) => value is { } v ? When(v) : "—";

    public static string When(DateTime utc) => When(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)));

    public static string Reason(RejectReason reason) => reason switch
    {
        RejectReason.UnrecognizedDevice => "I don't recognize this device",
        RejectReason.WrongRoom => "Wrong room or resource account",
        RejectReason.DuplicateRequest => "Duplicate request",
        RejectReason.SecurityConcern => "Security concern",
        RejectReason.Other => "Other (explain in the note)",
        RejectReason.Superseded => "Replaced by a newer code or set-up",
        _ => reason.ToString(),
    };

    public static string Reason(VerificationFailureReason reason) => reason switch
    {
        VerificationFailureReason.VerificationInfoNotFound => "Verification information not found",
        VerificationFailureReason.DeviceNotCertified => "Device not certified",
        VerificationFailureReason.VerificationInfoInvalid => "Verification information invalid",
        _ => reason.ToString(),
    };

    public static string Category(AuditCategory category) => category switch
    {
        AuditCategory.ResourceAccounts => "Resource accounts",
        AuditCategory.Otps => "One-time passwords",
        AuditCategory.RoomGroups => "Room groups",
        AuditCategory.DeviceCatalog => "Device catalog",
        AuditCategory.ApiKeys => "API keys",
        _ => category.ToString(),
    };

    /// <summary>Saves server-made text (a CSV export) in the browser through wwwroot/js/portal.js.</summary>
    public static ValueTask DownloadAsync(IJSRuntime js, string fileName, string text, string contentType = "text/csv")
    {
        ArgumentNullException.ThrowIfNull(js);
        return js.InvokeVoidAsync("roomsPortal.downloadText", fileName, text, contentType);
    }

    /// <summary>Saves a server-made file (a PDF) in the browser, streamed over the circuit: no URL serves it.</summary>
    public static async ValueTask DownloadBytesAsync(IJSRuntime js, string fileName, byte[] content, string contentType)
    {
        ArgumentNullException.ThrowIfNull(js);
        using var stream = new MemoryStream(content, writable: false);
        using var reference = new DotNetStreamReference(stream);
        await js.InvokeVoidAsync("roomsPortal.downloadStream", fileName, reference, contentType);
    }
}
