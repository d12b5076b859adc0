using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>A real offline deploy leaves the gateway image, the HelmChart and the node's binary carrying the state file's fingerprints.</summary>
[Collection(DeployClusterCollection.Name)]
public sealed class DeployedFingerprintTests(DeployClusterFixture cluster, ITestOutputHelper output)
{
    [RequiresDocker]
    public async Task A_deploy_from_no_state_leaves_every_artifact_carrying_the_fingerprint_the_state_file_records()
    {
        DeployAssert.Succeeded(cluster.Prime);

        // No state: every component is deployed again (whatever earlier tests did to the node), and recorded.
        File.Delete(cluster.StatePath);
        var run = await cluster.DeployAsync();
        output.WriteLine(run.Stdout);
        DeployAssert.Succeeded(run);

        var state = (await new DeployStateStore(cluster.StatePath).ReadAsync()).State;
        Assert.NotNull(state);
        var catalogue = ComponentCatalog.Load(cluster.Root);
        using var kube = cluster.CreateKubernetesClient();
        var source = new ClusterFingerprintSource(cluster.Docker, await cluster.ContainerIdAsync(), kube);
        var deployed = await DeployedFingerprints.ReadAsync(catalogue.Components, source);

        foreach (var artifact in deployed)
        {
            output.WriteLine($"{artifact.Component}: {artifact.Source} carries {artifact.Fingerprint} {artifact.Problem}");
            Assert.Null(artifact.Problem);
            Assert.Equal(state.Fingerprints[artifact.StateKey], artifact.Fingerprint);
        }

        Assert.Equal(["gateway", "helm", "supervisor"], deployed.Select(d => d.StateKey).Order(StringComparer.Ordinal));
        Assert.Empty(DeployedFingerprints.Compare(state, deployed));
    }
}
