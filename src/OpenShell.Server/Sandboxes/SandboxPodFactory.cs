using k8s.Models;
using OpenShell.Core;
using OpenShell.Server.Configuration;

namespace OpenShell.Server.Sandboxes;

/// <summary>The pod that runs one sandbox: the supervisor from the node's read-only hostPath, wrapping the workload.</summary>
internal static class SandboxPodFactory
{
    internal const string ManagedByLabel = "app.kubernetes.io/managed-by";
    internal const string ManagedByValue = "openshell";
    internal const string SandboxLabel = "openshell.io/sandbox";
    internal const string SourceAnnotation = "openshell.io/from";
    internal const string ContainerName = "sandbox";
    internal const string SupervisorVolume = "openshell-bin";
    internal const string TlsVolume = "openshell-client-tls";

    /// <summary>The <c>service.name</c> of every sandbox's supervisor spans.</summary>
    internal const string SandboxServiceName = "sandbox";

    /// <summary>The default workload: keep the sandbox up until it is deleted.</summary>
    internal static readonly string[] IdleCommand = ["sleep", "infinity"];

    internal static string Selector => $"{ManagedByLabel}={ManagedByValue}";

    internal static V1Pod Create(string name, string image, string? from, IReadOnlyList<string> command, GatewayOptions options)
    {
        var withTls = options.GrpcEndpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var env = new List<V1EnvVar>
        {
            Env(SupervisorEnvironment.GatewayEndpoint, options.GrpcEndpoint),
            Env(SupervisorEnvironment.SandboxId, name),
        };
        var mounts = new List<V1VolumeMount>
        {
            new V1VolumeMount { MountPath = SupervisorEnvironment.SupervisorDirectory, Name = SupervisorVolume, ReadOnlyProperty = true },
        };
        var volumes = new List<V1Volume>
        {
            new V1Volume { Name = SupervisorVolume, HostPath = new V1HostPathVolumeSource { Path = options.SupervisorHostPath, Type = "Directory" } },
        };

        if (withTls)
        {
            env.Add(Env(SupervisorEnvironment.ClientCertificate, $"{SupervisorEnvironment.TlsDirectory}/tls.crt"));
            env.Add(Env(SupervisorEnvironment.ClientKey, $"{SupervisorEnvironment.TlsDirectory}/tls.key"));
            env.Add(Env(SupervisorEnvironment.CertificateAuthority, $"{SupervisorEnvironment.TlsDirectory}/ca.crt"));
            mounts.Add(new V1VolumeMount { MountPath = SupervisorEnvironment.TlsDirectory, Name = TlsVolume, ReadOnlyProperty = true });
            volumes.Add(new V1Volume
            {
                Name = TlsVolume,

                // 0444: the workload may run as any user.
                Secret = new V1SecretVolumeSource { SecretName = options.ClientTlsSecret, DefaultMode = 0x124 },
            });
        }

        if (options.OtlpEndpoint is { } otlp)
        {
            // One service for all sandboxes, one instance per sandbox: the dashboard groups them as replicas.
            env.Add(Env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp));
            if (options.OtlpProtocol is { } protocol)
            {
                env.Add(Env("OTEL_EXPORTER_OTLP_PROTOCOL", protocol));
            }

            env.Add(Env("OTEL_SERVICE_NAME", SandboxServiceName));
            env.Add(Env("OTEL_RESOURCE_ATTRIBUTES", $"service.instance.id={name}"));
        }

        var annotations = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(from))
        {
            annotations[SourceAnnotation] = from;
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = options.SandboxNamespace,
                Labels = new Dictionary<string, string> { [ManagedByLabel] = ManagedByValue, [SandboxLabel] = name },
                Annotations = annotations,
            },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                AutomountServiceAccountToken = false,
                Containers =
                [
                    new V1Container
                    {
                        Name = ContainerName,
                        Image = image,
                        Command = [SupervisorEnvironment.SupervisorPath],
                        Args = ["--", .. command.Count > 0 ? command : IdleCommand],
                        Env = env,
                        VolumeMounts = mounts,
                    },
                ],
                Volumes = volumes,
            },
        };
    }

    /// <summary>The workload a sandbox container runs: its arguments after the supervisor's <c>--</c>.</summary>
    internal static IReadOnlyList<string> WorkloadOf(V1Container container)
    {
        var args = container.Args?.ToArray() ?? [];
        return args is ["--", .. var rest] ? rest : args;
    }

    private static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };
}
