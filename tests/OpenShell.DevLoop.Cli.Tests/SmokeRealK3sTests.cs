using Docker.DotNet.Models;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary>eng/smoke-real-k3s.sh: the whole loop on real k3s where the machine allows it, one line of reason where not.</summary>
public sealed class SmokeRealK3sTests
{
    private static readonly string s_script = Path.Combine(RepositoryPaths.Root, "eng", "smoke-real-k3s.sh");

    [RequiresPrivilegedDocker]
    public async Task The_whole_loop_runs_on_real_k3s()
    {
        var result = await TestProcess.RunAsync("bash", [s_script], RepositoryPaths.Root, timeout: TimeSpan.FromMinutes(30));

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("smoke-real-k3s: 3/4", result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("smoke-real-k3s: passed", result.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [RequiresDocker]
    public async Task Where_real_k3s_cannot_run_it_says_why_in_one_line_and_creates_nothing()
    {
        if (PrivilegedDockerGate.SkipReason is null)
        {
            // This machine runs real k3s: the test above covers it.
            return;
        }

        using var docker = DockerEngine.CreateClient();
        var before = await SmokeContainersAsync(docker);

        var result = await TestProcess.RunAsync("bash", [s_script], RepositoryPaths.Root, timeout: TimeSpan.FromMinutes(2));

        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("smoke-real-k3s: skipped: ", line, StringComparison.Ordinal);
        Assert.True(line.Contains("is not present locally", StringComparison.Ordinal) || line.Contains("refuses privileged containers", StringComparison.Ordinal), line);
        Assert.Equal(line, PrivilegedDockerGate.SkipReason);
        Assert.Equal(before, await SmokeContainersAsync(docker));
    }

    private static async Task<int> SmokeContainersAsync(global::Docker.DotNet.IDockerClient docker) =>
        (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true }))
            .Count(c => c.Names.Any(n => n.Contains("openshell-cluster-smoke-k3s-", StringComparison.Ordinal)));
}
