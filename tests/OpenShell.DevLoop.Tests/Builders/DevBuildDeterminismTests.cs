using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Deploy;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Tests.Builders;

/// <summary>
/// The fast deploy's builds are a function of the sources: the same bytes after a commit, a branch switch and back, and
/// in a clone at another path (real <c>dotnet publish</c> in two clones of this repository).
/// </summary>
public sealed class DevBuildDeterminismTests(ITestOutputHelper output)
{
    private const string Architecture = "amd64";

    [Fact]
    public async Task Gateway_publish_and_supervisor_dev_build_depend_on_the_sources_only()
    {
        using var temp = new TempDirectory("dev-build");
        var first = temp.Combine("first");
        var second = temp.Combine("elsewhere", "second-clone");
        await GitAsync(temp.Path, "clone", "--quiet", "--no-hardlinks", RepositoryPaths.Root, first);
        Directory.CreateDirectory(temp.Combine("elsewhere"));
        await GitAsync(temp.Path, "clone", "--quiet", "--no-hardlinks", RepositoryPaths.Root, second);

        var before = await PublishAsync(first);

        // A commit (new HEAD), a switch to the previous commit and back (every file rewritten): the same content.
        File.WriteAllText(Path.Combine(first, "NOTES.md"), "not an input of either component\n");
        await GitAsync(first, "add", "NOTES.md");
        await GitAsync(first, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "a commit");
        await GitAsync(first, "checkout", "--quiet", "HEAD~1");
        await GitAsync(first, "checkout", "--quiet", "-");
        var afterCommit = await PublishAsync(first);
        var elsewhere = await PublishAsync(second);

        Assert.Equal(before, afterCommit);
        Assert.Equal(before, elsewhere);
    }

    // The sha256 of every published gateway file and of the supervisor's dev build (its tree).
    private async Task<SortedDictionary<string, string>> PublishAsync(string root)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var gateway = await GatewayPublisher.PublishAsync(root, Architecture, GatewayPublisher.DefaultOutputDirectory(root, Architecture), NullLogger.Instance);
        var supervisor = await SupervisorPublisher.PublishAsync(
            root, Architecture, SupervisorPublisher.DefaultOutputDirectory(root, Architecture, SupervisorBuild.Dev), SupervisorBuild.Dev, NullLogger.Instance);
        output.WriteLine($"{root}: published in {watch.Elapsed.TotalSeconds:F0}s");
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["supervisor/tree"] = (await NodeTree.ReadAsync(Path.GetDirectoryName(supervisor)!)).Sha256,
        };
        foreach (var file in Directory.EnumerateFiles(gateway, "*", SearchOption.AllDirectories))
        {
            hashes["gateway/" + Path.GetRelativePath(gateway, file)] = await SupervisorDeployer.HashFileAsync(file, CancellationToken.None);
        }

        return hashes;
    }

    private static async Task GitAsync(string folder, params string[] args) =>
        (await TestProcess.RunAsync("git", args, folder, timeout: TimeSpan.FromMinutes(2))).EnsureSuccess("git " + string.Join(' ', args));
}
