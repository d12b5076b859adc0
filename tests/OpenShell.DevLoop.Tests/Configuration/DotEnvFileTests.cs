using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Tests.Configuration;

public sealed class DotEnvFileTests
{
    public static TheoryData<string, string, string> Lines => new()
    {
        { "A=plain", "A", "plain" },
        { "A = spaced  ", "A", "spaced" },
        { "export A=exported", "A", "exported" },
        { "A='single # not a comment ${X}'", "A", "single # not a comment ${X}" },
        { "A=\"double \\\"quoted\\\" \\\\ \\$ line\\nbreak\"", "A", "double \"quoted\" \\ $ line\nbreak" },
        { "A=value # a comment", "A", "value" },
        { "A=url#fragment", "A", "url#fragment" },
        { "A=", "A", "" },
        { "A=\"\" # empty", "A", "" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Reads_dotenv_syntax(string line, string key, string expected)
    {
        var file = DotEnvFile.Parse($"# comment\n\n{line}\n", ".env");

        Assert.Equal(expected, file.Values[key]);
    }

    [Fact]
    public void Expands_only_keys_defined_earlier_in_the_file()
    {
        var file = DotEnvFile.Parse("ROOT=/bundles\nB=${ROOT}/amd64.tgz\nC=\"${ROOT}/x\"\nD=${LATER}${HOME}\nLATER=1\n", "/r/.env");

        Assert.Equal("/bundles/amd64.tgz", file.Values["B"]);
        Assert.Equal("/bundles/x", file.Values["C"]);
        Assert.Equal("", file.Values["D"]);
        Assert.Equal(2, file.Warnings.Count);
        Assert.Contains("/r/.env:4: ${LATER}", file.Warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_definition_wins_and_CRLF_is_read()
    {
        var file = DotEnvFile.Parse("A=1\r\nA=2\r\n", ".env");

        Assert.Equal("2", file.Values["A"]);
    }

    [Theory]
    [InlineData("NOEQUALS", ".env:2:")]
    [InlineData("1BAD=x", "not a KEY=value line")]
    [InlineData("A='open", "single-quoted")]
    [InlineData("A=\"open", "double-quoted")]
    [InlineData("A=\"x\" trailing", "closing double quote")]
    [InlineData("A=${", "no closing")]
    public void A_malformed_line_names_the_file_and_line(string line, string mentioned)
    {
        var error = Assert.Throws<InvalidOperationException>(() => DotEnvFile.Parse($"OK=1\n{line}\n", ".env"));

        Assert.Contains(mentioned, error.Message, StringComparison.Ordinal);
        Assert.Contains(".env:2", error.Message, StringComparison.Ordinal);
    }
}
