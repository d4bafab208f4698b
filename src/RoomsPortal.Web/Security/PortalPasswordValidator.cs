using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;
using RoomsPortal.Core.Users;

namespace RoomsPortal.Web.Security;

/// <summary>
/// Refuses passwords an attacker tries first, as NIST SP 800-63B section 5.1.1.2 asks: those on a list of common and
/// breached passwords (<c>Security/common-passwords.txt</c>, shipped in the assembly), repetitive or sequential ones
/// (<c>aaaaaaaaaaaa</c>, <c>abcabcabcabc</c>, <c>123456789012</c>), and ones built from context words: the portal's
/// name and the user's own name. Digits and symbols added around a listed word, and the usual letter swaps
/// (<c>p@ssw0rd</c>), do not make it acceptable. No composition rules: length (12) and this check are the policy.
/// </summary>
public sealed class PortalPasswordValidator : IPasswordValidator<PortalUser>
{
    public const string CommonCode = "PasswordCommon";
    public const string RepetitiveCode = "PasswordRepetitive";
    public const string ContextCode = "PasswordContext";

    /// <summary>Words of this service: a password built from them is guessed first.</summary>
    private static readonly string[] ServiceWords = ["roomsportal", "roomportal", "teamsrooms", "teamsroom", "roomspro", "microsoftteams"];

    private static readonly FrozenSet<string> Common = LoadList();

    private static readonly IdentityError CommonError = new()
    {
        Code = CommonCode,
        Description = "This password is too common: it is on a list of passwords attackers try first (digits or symbols added "
            + "to a listed word don't help). Choose a phrase of a few unrelated words instead.",
    };

    private static readonly IdentityError RepetitiveError = new()
    {
        Code = RepetitiveCode,
        Description = "This password repeats characters or follows a sequence (like aaaaaaaaaaaa, abcabcabcabc or 123456789012). "
            + "Choose a phrase of a few unrelated words instead.",
    };

    private static readonly IdentityError ContextError = new()
    {
        Code = ContextCode,
        Description = "This password is built from the portal's name or your user name (like roomsportal12). "
            + "Choose something unrelated to them.",
    };

    public Task<IdentityResult> ValidateAsync(UserManager<PortalUser> manager, PortalUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(user);
        var error = Check(password ?? string.Empty, user.UserName, user.DisplayName);
        return Task.FromResult(error is null ? IdentityResult.Success : IdentityResult.Failed(error));
    }

    /// <summary>The first rule the password breaks, or null.</summary>
    internal static IdentityError? Check(string password, string? userName, string? displayName)
    {
        var lower = password.ToLowerInvariant();
        // The letters that carry the password once digits and symbols at its ends, separators and letter swaps are set aside.
        var core = Letters(Unswap(TrimEnds(lower)));
        if (IsRepetitiveOrSequential(lower) || (core.Length >= 4 && IsRepetitiveOrSequential(core)))
        {
            return RepetitiveError;
        }

        if (Common.Contains(lower) || Common.Contains(TrimEnds(lower)) || (core.Length >= 3 && Common.Contains(core)))
        {
            return CommonError;
        }

        var context = ServiceWords.Concat(Words(userName)).Concat(Words(displayName)).Distinct(StringComparer.Ordinal);
        var left = core;
        foreach (var word in context.OrderByDescending(w => w.Length))
        {
            left = left.Replace(word, string.Empty, StringComparison.Ordinal);
        }

        return left.Length < 4 && left.Length < core.Length ? ContextError : null;
    }

    /// <summary>Fewer than four different characters, one unit repeated, or one step up or down all the way.</summary>
    private static bool IsRepetitiveOrSequential(string text)
    {
        if (text.Distinct().Count() < 4 || Unit(text).Length < text.Length)
        {
            return true;
        }

        var step = Step(text[0], text[1]);
        if (step is not (1 or -1))
        {
            return false;
        }

        for (var i = 2; i < text.Length; i++)
        {
            if (Step(text[i - 1], text[i]) != step)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The difference between two neighbours; digits wrap (…8901…).</summary>
    private static int Step(char a, char b) =>
        char.IsAsciiDigit(a) && char.IsAsciiDigit(b) ? (((b - a) % 10) + 10 + 5) % 10 - 5 : b - a;

    /// <summary>The shortest text that, repeated, makes <paramref name="text"/> (the text itself when none does).</summary>
    private static string Unit(string text)
    {
        for (var length = 1; length <= text.Length / 2; length++)
        {
            if (text.Length % length == 0 && string.Concat(Enumerable.Repeat(text[..length], text.Length / length)) == text)
            {
                return text[..length];
            }
        }

        return text;
    }

    private static string TrimEnds(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && !char.IsLetter(text[start]))
        {
            start++;
        }

        while (end > start && !char.IsLetter(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    private static string Unswap(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] switch
            {
                '0' => 'o',
                '1' or '!' or '|' => 'i',
                '3' => 'e',
                '4' or '@' => 'a',
                '5' or '$' => 's',
                '7' or '+' => 't',
                '8' => 'b',
                _ => source[i],
            };
        }
    });

    private static string Letters(string text) => string.Concat(text.Where(char.IsLetter));

    /// <summary>The words of a name, four letters or more (shorter ones are too common to hold against a password).</summary>
    private static IEnumerable<string> Words(string? name) =>
        string.IsNullOrWhiteSpace(name)
            ? []
            : new string([.. name.Select(c => char.IsLetter(c) ? char.ToLowerInvariant(c) : ' ')])
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Where(w => w.Length >= 4);

    private static FrozenSet<string> LoadList()
    {
        using var stream = typeof(PortalPasswordValidator).Assembly.GetManifestResourceStream("RoomsPortal.Web.Security.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var word = line.Trim().ToLowerInvariant();
            if (word.Length > 0 && !word.StartsWith('#'))
            {
                words.Add(word);
            }
        }

        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
