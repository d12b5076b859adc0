using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>A supervisor swap killed midway leaves temporary files on the node; the next swap removes them.</summary>
[Collection(DeployClusterCollection.Name)]
public sealed class SupervisorSwapLeftoverTests(DeployClusterFixture cluster)
{
    [RequiresDocker]
    public async Task The_next_swap_removes_what_a_killed_swap_left_on_the_node_and_nothing_else()
    {
        DeployAssert.Succeeded(cluster.Prime);
        var containerId = await cluster.ContainerIdAsync();
        var published = cluster.ReleaseSupervisor;
        var id = Guid.NewGuid().ToString("N");
        string[] left = [$".openshell-sandbox.{id}.tmp", $".openshell-sandbox.link.{id}.tmp", $".openshell-sandbox.fingerprint.{id}.tmp"];
        const string unrelated = ".openshell-sandbox-tool.keep.tmp";
        await ContainerExec.RunAsync(cluster.Docker, containerId, ["sh", "-c",
            $"cd {SupervisorDeployer.NodeDirectory} && touch {string.Join(' ', left)} {unrelated}"]);

        var fingerprint = new string('e', 64);
        var sha = await SupervisorDeployer.DeployAsync(cluster.Docker, containerId, published, new Components.BinaryDeployment("p", SupervisorDeployer.NodePath), fingerprint);

        var (_, listing, _) = await ContainerExec.RunAsync(cluster.Docker, containerId, ["ls", "-a", SupervisorDeployer.NodeDirectory]);
        var names = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(names, n => left.Contains(n));
        Assert.Contains(unrelated, names);
        Assert.Equal(new NodeFingerprint(fingerprint, sha), await SupervisorDeployer.ReadNodeFingerprintAsync(cluster.Docker, containerId, SupervisorDeployer.NodePath));
        await ContainerExec.RunAsync(cluster.Docker, containerId, ["rm", "-f", $"{SupervisorDeployer.NodeDirectory}/{unrelated}"]);
    }
}
