namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>Assertions on <c>openshell-dev deploy</c>'s output.</summary>
internal static class DeployAssert
{
    /// <summary>The plan block says gateway/supervisor/helm = <paramref name="gateway"/>/<paramref name="supervisor"/>/<paramref name="helm"/>.</summary>
    public static void Plan(string stdout, int gateway, int supervisor, int helm)
    {
        Assert.Contains("Fast deploy plan:", stdout, StringComparison.Ordinal);
        Assert.Contains($"  build gateway:    {gateway}\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"  build supervisor: {supervisor}\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"  helm upgrade:     {helm}\n", stdout, StringComparison.Ordinal);
    }

    public static void Succeeded((int ExitCode, string Stdout, string Stderr) run)
    {
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
    }

    public static void Has(string stdout, params string[] lines)
    {
        foreach (var line in lines)
        {
            Assert.Contains(line + "\n", stdout, StringComparison.Ordinal);
        }
    }

    public static void HasNot(string stdout, params string[] lines)
    {
        foreach (var line in lines)
        {
            Assert.DoesNotContain(line, stdout, StringComparison.Ordinal);
        }
    }

    public static void Timing(string stdout, string label) =>
        Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(label)} took \d+s$", stdout);
}
