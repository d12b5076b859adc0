using Google.Protobuf.WellKnownTypes;
using k8s.Models;
using OpenShell.Core.V1;

namespace OpenShell.Server.Sandboxes;

/// <summary>A sandbox's state, from its pod and from what its supervisor reported.</summary>
internal static class SandboxStatus
{
    internal static Sandbox From(V1Pod pod, SupervisorRecord? supervisor)
    {
        var podPhase = pod.Status?.Phase ?? "Pending";
        var container = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == SandboxPodFactory.ContainerName);
        var terminated = container?.State?.Terminated;
        var sandbox = new Sandbox
        {
            Name = pod.Metadata.Name,
            Image = pod.Spec?.Containers?.FirstOrDefault()?.Image ?? string.Empty,
            PodPhase = podPhase,
        };

        if (pod.Metadata.CreationTimestamp is { } created)
        {
            sandbox.CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(created, DateTimeKind.Utc));
        }

        if (supervisor is not null)
        {
            sandbox.Supervisor = new SupervisorInfo
            {
                Version = supervisor.Version,
                BinarySha256 = supervisor.BinarySha256,
                RegisteredAt = Timestamp.FromDateTimeOffset(supervisor.RegisteredAt),
                LastHeartbeatAt = Timestamp.FromDateTimeOffset(supervisor.LastHeartbeatAt),
            };
        }

        var exitCode = supervisor?.ExitCode ?? terminated?.ExitCode;
        if (exitCode is { } code)
        {
            sandbox.ExitCode = code;
        }

        sandbox.Phase = (exitCode, podPhase) switch
        {
            (0, _) => SandboxPhase.Succeeded,
            (not null, _) => SandboxPhase.Failed,
            (_, "Succeeded") => SandboxPhase.Succeeded,
            (_, "Failed") => SandboxPhase.Failed,
            (_, "Running") => supervisor is null ? SandboxPhase.Starting : SandboxPhase.Ready,
            _ => SandboxPhase.Pending,
        };

        sandbox.Message = pod.Metadata.DeletionTimestamp is not null
            ? "deleting"
            : container?.State?.Waiting?.Reason ?? terminated?.Reason ?? pod.Status?.Reason ?? string.Empty;
        return sandbox;
    }
}
