using RoomsPortal.Core.Common;

namespace RoomsPortal.Core.Tests.Common;

public sealed class TextRulesTests
{
    [Theory]
    [InlineData("Room \u202Egnp.exe", 5, "U+202E")] // right-to-left override: reads "Room exe.png"
    [InlineData("Room\u200B 4", 4, "U+200B")] // zero-width space
    [InlineData("Ro\u200Dom", 2, "U+200D")] // zero-width joiner
    [InlineData("\uFEFFRoom", 0, "U+FEFF")] // byte order mark
    [InlineData("Room\u00AD4", 4, "U+00AD")] // soft hyphen
    [InlineData("Room\u2066 4", 4, "U+2066")] // left-to-right isolate
    [InlineData("Room\u0007", 4, "U+0007")] // bell: a control character
    [InlineData("Room\n4", 4, "U+000A")] // a name is one line
    [InlineData("Room\u2028 4", 4, "U+2028")] // line separator
    public void Names_refuse_format_and_control_characters_and_say_which_and_where(string name, int index, string code)
    {
        var message = TextRules.CheckName(name, "The room group name", 100);

        Assert.NotNull(message);
        Assert.StartsWith("The room group name contains", message, StringComparison.Ordinal);
        Assert.Contains($"({code}) at position {index + 1}", message, StringComparison.Ordinal);
        Assert.Contains("Type it again instead of pasting it", message, StringComparison.Ordinal);
        Assert.Equal(index, TextRules.FindHidden(name, multiLine: false)!.Value.Index);
        Assert.False(TextRules.IsCleanName(name));
    }

    [Theory]
    [InlineData("Building 4")]
    [InlineData("Salle de réunion Étoile")]
    [InlineData("会議室 3")]
    [InlineData("Huddle 👍 room")] // a surrogate pair is one character, not a broken one
    [InlineData("=HYPERLINK(\"x\")")] // spreadsheet escaping belongs to exports, not to the name
    public void Ordinary_names_in_any_script_pass(string name)
    {
        Assert.Null(TextRules.CheckName(name, "The name", 100));
        Assert.True(TextRules.IsCleanName(name));
    }

    [Fact]
    public void Notes_take_line_breaks_and_tabs_but_not_invisible_characters()
    {
        Assert.Null(TextRules.CheckNote("Reconnected the module.\r\n\tRestarted it.", "The note", 500));
        Assert.Contains("(U+202E) at position 4", TextRules.CheckNote("Ok \u202E done", "The note", 500), StringComparison.Ordinal);
        Assert.Contains("line breaks and tabs are fine", TextRules.CheckNote("a\u200Bb", "The note", 500), StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_is_a_broken_character()
    {
        var message = TextRules.CheckName("Room \uD83D", "The name", 100);

        Assert.Contains("a broken character (half of a character pair) at position 6", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_and_length_are_checked_with_the_same_label()
    {
        Assert.Equal("The name is required.", TextRules.CheckName("", "The name", 10));
        Assert.Null(TextRules.CheckName(null, "The name", 10, required: false));
        Assert.Equal("The name is longer than 10 characters (11).", TextRules.CheckName(new string('a', 11), "The name", 10));
    }
}
