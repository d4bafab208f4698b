using System.Security.Cryptography;
using System.Text;

namespace RoomsPortal.Core.ApiKeys;

/// <summary>
/// The key as a script holds it: <c>rpk_</c>, 8 lookup characters, <c>_</c>, and 43 base64url characters of 256 random
/// bits (<c>rpk_k3m9x2qa_...</c>). The prefix finds the row; the SHA-256 of the whole key proves it. Secret scanners can
/// match the fixed <c>rpk_</c> start.
/// </summary>
public static class ApiKeyFormat
{
    public const string Start = "rpk_";

    /// <summary><c>rpk_</c> plus 8 characters.</summary>
    public const int PrefixLength = 12;

    private const int SecretLength = 43;
    private const string LookupAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>A new key and its prefix.</summary>
    public static (string Key, string Prefix) NewKey()
    {
        var prefix = Start + RandomNumberGenerator.GetString(LookupAlphabet, PrefixLength - Start.Length);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return ($"{prefix}_{secret}", prefix);
    }

    /// <summary>The prefix of a well-formed key, or null when <paramref name="key"/> cannot be one.</summary>
    public static string? PrefixOf(string? key)
    {
        if (key is null || key.Length != PrefixLength + 1 + SecretLength || !key.StartsWith(Start, StringComparison.Ordinal) || key[PrefixLength] != '_')
        {
            return null;
        }

        foreach (var c in key.AsSpan(Start.Length, PrefixLength - Start.Length))
        {
            if (!LookupAlphabet.Contains(c, StringComparison.Ordinal))
            {
                return null;
            }
        }

        foreach (var c in key.AsSpan(PrefixLength + 1))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return null;
            }
        }

        return key[..PrefixLength];
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
