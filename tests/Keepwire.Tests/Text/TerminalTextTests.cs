using Keepwire.Text;

namespace Keepwire.Tests.Text;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("alpha: http check failed 3×: connection refused", "alpha: http check failed 3×: connection refused")]
    [InlineData("🙂 漢字 é", "🙂 漢字 é")]
    [InlineData("\u001b[2J\u001b]0;owned\u0007", "\\u{1B}[2J\\u{1B}]0;owned\\u{7}")]
    [InlineData("ok\nweb  bravo  forged row", "ok\\u{A}web  bravo  forged row")]
    [InlineData("over\rwritten", "over\\u{D}written")]
    [InlineData("tab\there", "tab\\u{9}here")]
    [InlineData("del\u007f c1\u009b nul\0", "del\\u{7F} c1\\u{9B} nul\\u{0}")]
    [InlineData("evil\u202etxt.exe", "evil\\u{202E}txt.exe")]
    [InlineData("\u2066isolate\u2069 \u200b\u200d\ufeff", "\\u{2066}isolate\\u{2069} \\u{200B}\\u{200D}\\u{FEFF}")]
    [InlineData("line\u2028para\u2029", "line\\u{2028}para\\u{2029}")]
    [InlineData("tag \U000E0041\U000E0042", "tag \\u{E0041}\\u{E0042}")]
    public void Characters_that_act_on_a_terminal_are_escaped_and_the_rest_kept(string text, string printed) =>
        Assert.Equal(printed, TerminalText.Escape(text));

    [Fact]
    public void Several_lines_stay_lines_but_cannot_pass_for_output_of_their_own() =>
        Assert.Equal("a.yaml:1:1: first\n  a.yaml:2:1: second \\u{1B}[31m", TerminalText.EscapeLines("a.yaml:1:1: first\r\na.yaml:2:1: second \u001b[31m"));

    [Fact]
    public void A_surrogate_that_is_not_half_of_a_pair_is_escaped() =>
        // Built in code: xunit would replace lone surrogates in InlineData by U+FFFD.
        Assert.Equal("lone \\u{D800} and \\u{DC00} \\u{D800}", TerminalText.Escape("lone " + '\ud800' + " and " + '\udc00' + " " + '\ud800'));

    [Fact]
    public void Nothing_escaped_leaves_the_same_string() => Assert.Same("plain", TerminalText.Escape("plain"));
}
