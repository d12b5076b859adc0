using System.Text.Json.Nodes;
using Docker.DotNet.Models;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// Maps a Kubernetes container onto the engine's create parameters: <c>command</c> → entrypoint, <c>args</c> → cmd,
/// the environment, <c>workingDir</c>, the user from <c>runAsUser</c>/<c>runAsGroup</c> (container over pod),
/// <c>privileged</c>, capabilities and <c>allowPrivilegeEscalation</c>; the network is the pod's holder's.
/// </summary>
internal static class ContainerBlueprint
{
    /// <summary>Turns off the image's own HEALTHCHECK, which the engine would otherwise run in the container.</summary>
    public static HealthConfig NoHealthcheck => new() { Test = ["NONE"] };

    public static CreateContainerParameters Create(KubeletContext context, JsonObject pod, JsonObject container, string name, string pauseId, string podIp, IDictionary<string, string> labels)
    {
        var podSecurity = Json.At(pod, "spec.securityContext") as JsonObject;
        var security = container["securityContext"] as JsonObject;
        var user = Json.Long(security?["runAsUser"]) ?? Json.Long(podSecurity?["runAsUser"]);
        var group = Json.Long(security?["runAsGroup"]) ?? Json.Long(podSecurity?["runAsGroup"]);
        var command = Strings(container["command"]);
        var args = Strings(container["args"]);
        var parameters = new CreateContainerParameters
        {
            Name = name,
            Image = Json.Str(container["image"]),
            // Kubernetes runs no image HEALTHCHECK; its probes are the pod's (ContainerProbe).
            Healthcheck = NoHealthcheck,
            Env = PodEnvironment.Build(context.Store, pod, container, context.Node, podIp),
            WorkingDir = Json.Str(container["workingDir"]),
            User = user is null ? null : group is null ? $"{user}" : $"{user}:{group}",
            Labels = labels,
            HostConfig = new HostConfig
            {
                NetworkMode = $"container:{pauseId}",
                Privileged = security?["privileged"]?.GetValue<bool>() == true,
                CapAdd = Strings(security?["capabilities"]?["add"]),
                CapDrop = Strings(security?["capabilities"]?["drop"]),
                SecurityOpt = security?["allowPrivilegeEscalation"]?.GetValue<bool>() == false ? ["no-new-privileges"] : null,
            },
        };
        if (command is not null)
        {
            // An entrypoint given drops the image's cmd too, as Kubernetes does when only command is set.
            parameters.Entrypoint = command;
            parameters.Cmd = args ?? [];
        }
        else if (args is not null)
        {
            parameters.Cmd = args;
        }

        return parameters;
    }

    private static List<string>? Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => Json.Str(n) ?? "")] : null;
}
