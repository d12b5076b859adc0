using System.Globalization;
using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Cluster;

/// <summary>Builds the <see cref="ClusterContainerSpec"/> from the settings.</summary>
public static class ClusterContainerSpecFactory
{
    /// <summary>The local engine's socket.</summary>
    public const string DefaultEngineSocket = "/var/run/docker.sock";

    /// <summary>Creates the spec for <paramref name="clusterName"/> with the gateway published on <paramref name="gatewayHostPort"/>.</summary>
    /// <param name="settings">The bound settings.</param>
    /// <param name="clusterName">The cluster name.</param>
    /// <param name="gatewayHostPort">The host port of the gateway.</param>
    /// <param name="engineSocket">The engine's socket on the host, mounted when <c>RunPods</c> is on; null = <see cref="DefaultEngineSocket"/>.</param>
    /// <param name="publishAddress">The host IP the ports are published on (<see cref="Engine.EnginePortPlan.BindAddress"/>); null = loopback.</param>
    public static ClusterContainerSpec Create(OpenShellSettings settings, string clusterName, int gatewayHostPort, string? engineSocket = null, string? publishAddress = null)
    {
        engineSocket ??= DefaultEngineSocket;
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(clusterName);
        var cluster = settings.Cluster;
        var registry = RegistryWiring.From(cluster, settings.Registry);
        var name = ClusterName.ContainerName(clusterName);

        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["REGISTRY_HOST"] = registry.Host,
            ["REGISTRY_ENDPOINT"] = registry.Endpoint,
            ["REGISTRY_INSECURE"] = registry.Insecure ? "true" : "false",
            ["IMAGE_REPO_BASE"] = cluster.ImageRepoBase,
            ["IMAGE_TAG"] = cluster.ImageTag,
            ["GATEWAY_NODE_PORT"] = cluster.GatewayNodePort.ToString(CultureInfo.InvariantCulture),
            ["GPU_ENABLED"] = cluster.Gpu ? "true" : "false",
            ["OPENSHELL_NODE_NAME"] = string.IsNullOrWhiteSpace(cluster.NodeName) ? ClusterName.NodeName(clusterName) : cluster.NodeName.Trim(),
            ["OPENSHELL_HEALTHCHECK_GATEWAY_TCP"] = cluster.GatewayTcpCheck ? "true" : "false",
        };
        // Upstream's names: the entrypoint fills the chart's values from them and the health check reads DISABLE_TLS; they
        // also record the mode on the node, so a reused node keeps it.
        foreach (var (key, value) in cluster.GatewaySecurity.Environment())
        {
            environment[key] = value;
        }

        if (cluster.OtlpRelayPort > 0)
        {
            environment["OPENSHELL_OTLP_RELAY_PORT"] = cluster.OtlpRelayPort.ToString(CultureInfo.InvariantCulture);
        }

        if (cluster.RunPods)
        {
            environment["OPENSHELL_KUBELET"] = "docker";
            // The gateway pod really pulls its image, which the first deploy pushes only after the node is up:
            // the node's health cannot wait for it (the gateway's own health does).
            environment["OPENSHELL_HEALTHCHECK_GATEWAY_READY"] = "false";
        }

        if (!string.IsNullOrEmpty(cluster.RegistryUsername))
        {
            environment["REGISTRY_USERNAME"] = cluster.RegistryUsername;
            environment["REGISTRY_PASSWORD"] = cluster.RegistryPassword ?? "";
        }

        string[] arguments =
        [
            "server",
            "--disable=traefik",
            "--tls-san=127.0.0.1",
            "--tls-san=localhost",
            "--tls-san=host.docker.internal",
            // Pods on the node's network reach the API by the node container's name.
            $"--tls-san={name}",
            $"--https-listen-port={ClusterContainerSpec.ApiPort.ToString(CultureInfo.InvariantCulture)}",
        ];

        return new ClusterContainerSpec(
            clusterName,
            name,
            name,
            cluster.Image,
            cluster.Network,
            cluster.Privileged,
            gatewayHostPort,
            cluster.GatewayNodePort,
            environment,
            arguments)
        {
            ExtraHosts = ["host.docker.internal:host-gateway", "host.openshell.internal:host-gateway"],
            GpuMode = cluster.Gpu ? cluster.GpuMode : null,
            EngineSocket = cluster.RunPods ? engineSocket : null,
            PublishAddress = publishAddress ?? Engine.EnginePortPlan.DefaultBindAddress,
        };
    }
}
