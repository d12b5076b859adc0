using OpenShell.Server.Sandboxes;

namespace OpenShell.Server.Tests.Sandboxes;

public sealed class SandboxNameTests
{
    public static TheoryData<string?, string?> Names => new()
    {
        { "dev", null },
        { "a", null },
        { "my-sandbox-2", null },
        { new string('a', 63), null },
        { null, "a sandbox name is required" },
        { "", "a sandbox name is required" },
        { new string('a', 64), "is 64 characters long: use at most 63" },
        { "Dev", "is invalid" },
        { "-dev", "is invalid" },
        { "dev-", "is invalid" },
        { "dev_box", "is invalid" },
        { "dev.box", "is invalid" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Names_follow_dns1123_label_rules(string? name, string? problem)
    {
        var actual = SandboxName.Problem(name);
        if (problem is null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.Contains(problem, actual, StringComparison.Ordinal);
        }
    }
}
