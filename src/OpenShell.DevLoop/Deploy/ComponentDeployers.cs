using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Deploy;

/// <summary>The deployer of each component kind and the cluster they deploy to, as <see cref="FastDeployer"/> drives them.</summary>
/// <param name="Cluster">Finds the healthy cluster node.</param>
/// <param name="Image">Deploys image components.</param>
/// <param name="Binary">Deploys binary components.</param>
/// <param name="Helm">Deploys helm components.</param>
internal sealed record ComponentDeployers(IDeployCluster Cluster, IImageComponentDeployer Image, IBinaryComponentDeployer Binary, IHelmComponentDeployer Helm)
{
    /// <summary>The real ones: the Docker engine and the cluster's API; image and binary publishes share one gate.</summary>
    public static ComponentDeployers ForDocker(IDockerClient docker, OpenShellSettings settings, ILogger logger)
    {
        var gate = new PublishGate();
        return new ComponentDeployers(
            new DockerDeployCluster(docker),
            new ImageComponentDeployer(docker, settings, gate, logger),
            new BinaryComponentDeployer(docker, gate, logger),
            new HelmComponentDeployer());
    }
}
