using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace RoomsPortal.Web.Notifications;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>STARTTLS, required (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS: only for a relay on the same host or a test server.</summary>
    None,
}

/// <summary>The mail server email channels send through (<c>Notifications:Smtp:*</c>); checked at start when <see cref="Host"/> is set.</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Notifications:Smtp";

    /// <summary>The server; unset, email channels cannot send (their deliveries fail with that reason).</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Sign-in name, when the server needs one (keep the password in a secret store or the environment).</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender address, e.g. <c>RoomsPortal &lt;roomsportal@contoso.com&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>How long connecting, signing in and sending one message may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult($"{Section}:From must be the sender address (roomsportal@contoso.com) when {Section}:Host is set.", [nameof(From)]);
        }

        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult($"Set both {Section}:UserName and {Section}:Password, or neither.", [nameof(UserName)]);
        }
    }
}
