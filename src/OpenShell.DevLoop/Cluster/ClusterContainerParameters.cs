using System.Globalization;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Cluster;

/// <summary>Maps a <see cref="ClusterContainerSpec"/> onto the engine's create parameters.</summary>
internal static class ClusterContainerParameters
{
    public static CreateContainerParameters From(ClusterContainerSpec spec)
    {
        var api = $"{ClusterContainerSpec.ApiPort.ToString(CultureInfo.InvariantCulture)}/tcp";
        var gateway = $"{spec.GatewayNodePort.ToString(CultureInfo.InvariantCulture)}/tcp";
        return new CreateContainerParameters
        {
            Name = spec.ContainerName,
            Image = spec.Image,
            Cmd = [.. spec.Arguments],
            Env = [.. spec.Environment.Select(kv => $"{kv.Key}={kv.Value}")],
            Labels = new Dictionary<string, string> { [ClusterContainerSpec.ClusterLabel] = spec.ClusterName },
            ExposedPorts = new Dictionary<string, EmptyStruct> { [api] = default, [gateway] = default },
            HostConfig = new HostConfig
            {
                Privileged = spec.Privileged,
                CgroupnsMode = spec.Privileged ? "host" : null,
                // Both on the publish address only (loopback by default); the API on a port the engine picks, the gateway on
                // the remembered one (0: the engine picks).
                PortBindings = new Dictionary<string, IList<PortBinding>>
                {
                    [api] = [new PortBinding { HostIP = spec.PublishAddress, HostPort = "" }],
                    [gateway] = [new PortBinding { HostIP = spec.PublishAddress, HostPort = spec.GatewayHostPort == 0 ? "" : spec.GatewayHostPort.ToString(CultureInfo.InvariantCulture) }],
                },
                Mounts = spec.EngineSocket is { } socket
                    ? [Volume(spec), new Mount { Type = "bind", Source = socket, Target = ClusterContainerSpec.EngineSocketPath }]
                    : [Volume(spec)],
                NetworkMode = spec.Network,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
                Init = true,
                ExtraHosts = [.. spec.ExtraHosts],
                DeviceRequests = spec.GpuMode is { } mode ? [GpuRequest(mode)] : null,
            },
        };
    }

    private static Mount Volume(ClusterContainerSpec spec) =>
        new() { Type = "volume", Source = spec.VolumeName, Target = ClusterContainerSpec.DataPath };

    // As OpenShell asks for them: every GPU through the NVIDIA runtime, or the CDI device naming all of them.
    private static DeviceRequest GpuRequest(string mode) => mode == GpuModes.Cdi
        ? new DeviceRequest { Driver = "cdi", DeviceIDs = [GpuModes.CdiAllGpus] }
        : new DeviceRequest { Driver = "nvidia", Count = -1, Capabilities = [["gpu", "utility", "compute"]] };
}
