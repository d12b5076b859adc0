using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Deploy;

/// <summary>The deployer of each component kind and the cluster they deploy to, as <see cref="FastDeployer"/> drives them.</summary>
/// <param name="Cluster">Finds the healthy cluster node.</param>
/// <param name="Image">Deploys image components.</param>
/// <param name="Binary">Deploys binary components.</param>
/// <param name="Helm">Deploys helm components.</param>
/// <param name="Sandbox">Proves a swapped supervisor with a throwaway sandbox (when the request asks for it).</param>
internal sealed record ComponentDeployers(IDeployCluster Cluster, IImageComponentDeployer Image, IBinaryComponentDeployer Binary, IHelmComponentDeployer Helm, ISandboxVerifier? Sandbox = null)
{
    /// <summary>
    /// The real ones: the Docker engine, its published ports as <paramref name="ports"/> reaches them, and the cluster's API;
    /// image and binary publishes share one gate. With <paramref name="warmCompile"/> (a long-lived front end) binary dev
    /// builds and image publishes go through warm compilers (<see cref="Compiling.WarmCompiler"/>).
    /// </summary>
    public static ComponentDeployers ForDocker(IDockerClient docker, OpenShellSettings settings, ILogger logger, IEnginePorts ports, bool warmCompile = false)
    {
        var gate = new PublishGate();
        var warm = warmCompile ? new Compiling.WarmBuilds(logger) : null;
        return new ComponentDeployers(
            new DockerDeployCluster(docker, settings.Cluster.GatewayNodePort, ports),
            new ImageComponentDeployer(docker, settings, gate, logger, ports, warm),
            new BinaryComponentDeployer(docker, gate, logger, warm),
            new HelmComponentDeployer(),
            new GatewaySandboxVerifier(TimeSpan.FromMinutes(2)));
    }
}
