using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Images;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// The supervisor's dev build as a content-addressed tree on a real node: swapped in and back, after and before the
/// release single file, read back through the link; each test leaves the node running the tree the recorded state names.
/// </summary>
[Collection(DeployClusterCollection.Name)]
public sealed class SupervisorTreeTests(DeployClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly BinaryDeployment s_supervisor = new(ComponentDefaults.BinaryProject, SupervisorDeployer.NodePath);

    [RequiresDocker]
    public async Task A_changed_tree_sends_only_its_changed_file_and_swapping_back_relinks_the_tree_on_the_node()
    {
        DeployAssert.Succeeded(cluster.Prime);
        var (containerId, published, primed) = await PrimedAsync();
        var edited = CopyWithProbe(published, "edited");
        var index = NodeStoreIndex.For(new CachePaths(cluster.Root).Directory, containerId, s_supervisor.FileName);
        var storeBefore = index.Read().Store;

        var editedSha = await TreeDeployer.DeployAsync(cluster.Docker, containerId, edited, s_supervisor, primed.Fingerprint, index, hashes: null);

        var tree = await NodeTree.ReadAsync(edited);
        Assert.Equal(tree.Sha256, editedSha);
        Assert.Equal(editedSha, await cluster.NodeSupervisorSha256Async());
        Assert.Equal("0.1.0", await VersionAsync(containerId));
        // Only the probe was new to the store: the runtime and the app's dlls were there from the priming deploy.
        Assert.Single(tree.Files.Select(f => f.Sha256).Except(storeBefore));
        var (_, link, _) = await ContainerExec.RunAsync(cluster.Docker, containerId, ["readlink", SupervisorDeployer.NodePath]);
        Assert.Equal($".openshell-sandbox.d/{editedSha}/openshell-sandbox", link.Trim());

        var back = await TreeDeployer.DeployAsync(cluster.Docker, containerId, published, s_supervisor, primed.Fingerprint, index, hashes: null);

        Assert.Equal(primed.Sha256, back);
        Assert.Equal(primed, await SupervisorDeployer.ReadNodeFingerprintAsync(cluster.Docker, containerId, SupervisorDeployer.NodePath));
        var (_, trees, _) = await ContainerExec.RunAsync(cluster.Docker, containerId, ["ls", "-a", $"{SupervisorDeployer.NodeDirectory}/.openshell-sandbox.d"]);
        Assert.Equal(new[] { editedSha, primed.Sha256 }.Order(), trees.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => n.Length == 64).Order());
        Assert.Equal("0.1.0", await VersionAsync(containerId));
    }

    [RequiresDocker]
    public async Task The_release_file_gives_way_to_a_tree_and_the_tree_back_to_the_file()
    {
        DeployAssert.Succeeded(cluster.Prime);
        var (containerId, published, primed) = await PrimedAsync();
        // The release build the fixture baked (the shared cache's copy; the checkout's publish folder may not exist).
        var release = cluster.ReleaseSupervisor;
        var index = NodeStoreIndex.For(new CachePaths(cluster.Root).Directory, containerId, s_supervisor.FileName);

        var fileSha = await SupervisorDeployer.DeployAsync(cluster.Docker, containerId, release, s_supervisor, primed.Fingerprint);
        Assert.Equal(await SupervisorDeployer.HashFileAsync(release, CancellationToken.None), await cluster.NodeSupervisorSha256Async());
        Assert.Equal("0.1.0", await VersionAsync(containerId));

        var treeSha = await TreeDeployer.DeployAsync(cluster.Docker, containerId, published, s_supervisor, primed.Fingerprint, index, hashes: null);
        Assert.Equal(primed.Sha256, treeSha);
        Assert.Equal(treeSha, await cluster.NodeSupervisorSha256Async());
        Assert.Equal("0.1.0", await VersionAsync(containerId));

        Assert.Equal(fileSha, await SupervisorDeployer.DeployAsync(cluster.Docker, containerId, release, s_supervisor, primed.Fingerprint));
        Assert.Equal(fileSha, await cluster.NodeSupervisorSha256Async());
        Assert.Equal("0.1.0", await VersionAsync(containerId));
        var (_, listing, _) = await ContainerExec.RunAsync(cluster.Docker, containerId, ["sh", "-c", $"cd {SupervisorDeployer.NodeDirectory} && ls -a .openshell-sandbox.d && ls -a"]);
        output.WriteLine(listing);
        Assert.Contains(treeSha, listing, StringComparison.Ordinal);

        // Back to the tree the recorded state names (it is still on the node: relinked, not sent).
        Assert.Equal(primed.Sha256, await TreeDeployer.DeployAsync(cluster.Docker, containerId, published, s_supervisor, primed.Fingerprint, index, hashes: null));
        Assert.Equal(primed, await SupervisorDeployer.ReadNodeFingerprintAsync(cluster.Docker, containerId, SupervisorDeployer.NodePath));
    }

    [RequiresDocker]
    public async Task A_tree_changed_on_the_node_is_not_relinked_but_sent_again_whole()
    {
        DeployAssert.Succeeded(cluster.Prime);
        var (containerId, published, primed) = await PrimedAsync();
        var index = NodeStoreIndex.For(new CachePaths(cluster.Root).Directory, containerId, s_supervisor.FileName);
        var edited = await TreeDeployer.DeployAsync(cluster.Docker, containerId, CopyWithProbe(published, "tampered"), s_supervisor, primed.Fingerprint, index, hashes: null);
        var file = Path.GetFileName(Directory.EnumerateFiles(published, "*.deps.json").First());
        var primedFile = $"{SupervisorDeployer.NodeDirectory}/.openshell-sandbox.d/{primed.Sha256}/{file}";
        // A new file in place of the tree's hard link: the tree no longer holds what its name says.
        var (exit, _, stderr) = await ContainerExec.RunAsync(cluster.Docker, containerId, ["sh", "-c", $"rm '{primedFile}' && echo '{{}}' > '{primedFile}'"]);
        Assert.True(exit == 0, stderr);
        Assert.Contains(primed.Sha256, index.Read().Trees);

        var back = await TreeDeployer.DeployAsync(cluster.Docker, containerId, published, s_supervisor, primed.Fingerprint, index, hashes: null);

        Assert.Equal(primed.Sha256, back);
        Assert.NotEqual(edited, back);
        Assert.Equal(primed.Sha256, await cluster.NodeSupervisorSha256Async());
        Assert.Equal(primed, await SupervisorDeployer.ReadNodeFingerprintAsync(cluster.Docker, containerId, SupervisorDeployer.NodePath));
        Assert.Equal("0.1.0", await VersionAsync(containerId));
    }

    // The node after the priming deploy: its tree is the dev build's publish folder, with the fingerprint file.
    private async Task<(string ContainerId, string Published, NodeFingerprint Primed)> PrimedAsync()
    {
        var containerId = await cluster.ContainerIdAsync();
        var architecture = await ClusterArchitecture.ReadAsync(cluster.Docker, DeployClusterFixture.BaseImage);
        var published = SupervisorPublisher.DefaultOutputDirectory(cluster.Root, architecture, SupervisorBuild.Dev);
        var primed = await SupervisorDeployer.ReadNodeFingerprintAsync(cluster.Docker, containerId, SupervisorDeployer.NodePath);
        Assert.NotNull(primed);
        Assert.Equal((await NodeTree.ReadAsync(published)).Sha256, primed.Sha256);
        return (containerId, published, primed);
    }

    private string CopyWithProbe(string published, string name)
    {
        var copy = Path.Combine(cluster.Root, ".cache", "tree-tests", name);
        if (Directory.Exists(copy))
        {
            Directory.Delete(copy, recursive: true);
        }

        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(published))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(copy, "probe.txt"), Guid.NewGuid().ToString("N"));
        return copy;
    }

    private async Task<string> VersionAsync(string containerId) =>
        await SupervisorDeployer.ReadNodeVersionAsync(cluster.Docker, containerId, SupervisorDeployer.NodePath) ?? "(does not run)";
}
