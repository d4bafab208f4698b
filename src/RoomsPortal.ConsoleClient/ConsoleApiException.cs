using System.Net;

namespace RoomsPortal.ConsoleClient;

/// <summary>The portal refused a call; <see cref="Code"/> is one of <see cref="Protocol.ConsoleErrorCodes"/>.</summary>
public sealed class ConsoleApiException : Exception
{
    /// <summary>Creates the exception from a problem details answer.</summary>
    public ConsoleApiException(HttpStatusCode status, string code, string title, string? detail, IReadOnlyList<string> troubleshooting, TimeSpan? retryAfter)
        : base(detail is null ? title : $"{title} {detail}")
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        Troubleshooting = troubleshooting;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The stable error code.</summary>
    public string Code { get; }

    /// <summary>A short summary to show on the console.</summary>
    public string Title { get; }

    /// <summary>What happened and what to do, when the portal said more.</summary>
    public string? Detail { get; }

    /// <summary>Steps for the technician (device verification failures).</summary>
    public IReadOnlyList<string> Troubleshooting { get; }

    /// <summary>How long to wait before trying again (429 and 423 answers).</summary>
    public TimeSpan? RetryAfter { get; }
}
