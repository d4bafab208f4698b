using System.Globalization;
using System.Text;

namespace RoomsPortal.Core.Common;

/// <summary>
/// The one rule for text people type into the portal and others read back: names (display names, room groups,
/// manufacturers, models, keys), notes and reasons. Invisible characters are refused, because they make one thing read
/// as another: a right-to-left override (U+202E) turns <c>Room gnp.exe</c> into what looks like <c>Room exe.png</c>, and
/// zero-width characters make two different names look the same. Refused: format characters (Unicode category Cf:
/// bidirectional overrides and marks, zero-width space and joiners, the byte order mark, soft hyphen) and control
/// characters (Cc), plus line and paragraph separators and lone surrogates. Notes may hold line breaks and tabs; names may not. Every Core service and every page checks with this class,
/// so the message a page shows is the one Core would return.
/// </summary>
public static class TextRules
{
    /// <summary>Why a text was refused, or null when it is fine. <paramref name="value"/> is checked as given (trim first).</summary>
    /// <param name="value">The text, already trimmed.</param>
    /// <param name="label">What the text is, as the sentence starts: "The room group name".</param>
    /// <param name="maxLength">The longest accepted text.</param>
    /// <param name="required">Whether an empty text is refused.</param>
    public static string? CheckName(string? value, string label, int maxLength, bool required = true) =>
        Check(value, label, maxLength, required, multiLine: false);

    /// <summary>As <see cref="CheckName"/>, for notes and reasons: line breaks and tabs are allowed.</summary>
    public static string? CheckNote(string? value, string label, int maxLength, bool required = false) =>
        Check(value, label, maxLength, required, multiLine: true);

    /// <summary>The first character a name or note must not contain, with its position (0-based), or null when clean.</summary>
    public static (int Index, Rune Character)? FindHidden(string value, bool multiLine)
    {
        ArgumentNullException.ThrowIfNull(value);
        var index = 0;
        while (index < value.Length)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate half: no character at all.
                return (index, Rune.ReplacementChar);
            }

            if (IsHidden(rune, multiLine))
            {
                return (index, rune);
            }

            index += consumed;
        }

        return null;
    }

    /// <summary>Whether <paramref name="value"/> holds nothing a name must not contain.</summary>
    public static bool IsCleanName(string value) => FindHidden(value, multiLine: false) is null;

    /// <summary>Whether <paramref name="value"/> holds nothing a note must not contain.</summary>
    public static bool IsCleanNote(string value) => FindHidden(value, multiLine: true) is null;

    private static string? Check(string? value, string label, int maxLength, bool required, bool multiLine)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        if (string.IsNullOrEmpty(value))
        {
            return required ? $"{label} is required." : null;
        }

        if (value.Length > maxLength)
        {
            return $"{label} is longer than {maxLength} characters ({value.Length}).";
        }

        if (FindHidden(value, multiLine) is { } hidden)
        {
            var what = hidden.Character == Rune.ReplacementChar
                ? "a broken character (half of a character pair)"
                : Rune.GetUnicodeCategory(hidden.Character) == UnicodeCategory.Control
                    ? $"a control character (U+{hidden.Character.Value:X4})"
                    : $"an invisible formatting character (U+{hidden.Character.Value:X4})";
            return $"{label} contains {what} at position {hidden.Index + 1}. "
                + "Type it again instead of pasting it: right-to-left overrides, zero-width spaces and similar characters "
                + "can make text read as something else"
                + (multiLine ? " (line breaks and tabs are fine)." : ".");
        }

        return null;
    }

    private static bool IsHidden(Rune rune, bool multiLine)
    {
        if (multiLine && rune.Value is '\n' or '\r' or '\t')
        {
            return false;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format
            or UnicodeCategory.Control
            or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Surrogate;
    }
}
