using System.Net.Mail;

namespace RoomsPortal.Web.Security;

/// <summary>
/// The one rule for a user's email address (where email notifications go): a single plain address such as
/// <c>lea@contoso.com</c>, with a domain that has a dot, no display name, no spaces; optional (blank removes it).
/// </summary>
public static class UserEmail
{
    /// <summary>Identity's column is 256 characters.</summary>
    public const int MaxLength = 256;

    /// <summary>What people are told to enter.</summary>
    public const string Expected = "Enter one email address such as lea@contoso.com (no name, no spaces, no commas), or leave it empty to remove it.";

    /// <summary>Why <paramref name="email"/> cannot be a user's address, or null when it can (blank means none).</summary>
    public static string? Problem(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var trimmed = email.Trim();
        if (trimmed.Length > MaxLength)
        {
            return $"The email address is longer than {MaxLength} characters. {Expected}";
        }

        if (trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || trimmed.Contains(',', StringComparison.Ordinal)
            || trimmed.Contains(';', StringComparison.Ordinal) || !MailAddress.TryCreate(trimmed, out var parsed)
            || !string.Equals(parsed.Address, trimmed, StringComparison.Ordinal) || !string.IsNullOrEmpty(parsed.DisplayName))
        {
            return $"That is not an email address. {Expected}";
        }

        var domain = parsed.Host;
        if (!domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.EndsWith('.') || domain.StartsWith('['))
        {
            return $"The email address needs a full domain after the @ (contoso.com, not contoso). {Expected}";
        }

        return null;
    }

    /// <summary>The address as stored: trimmed, or null for none. Call after <see cref="Problem"/> returned null.</summary>
    public static string? Normalize(string? email) => string.IsNullOrWhiteSpace(email) ? null : email.Trim();
}
