using Google.Protobuf.WellKnownTypes;
using k8s.Models;
using OpenShell.Core.V1;

namespace OpenShell.Server.Sandboxes;

/// <summary>A Kubernetes event of a sandbox's pod, as the contract reports it.</summary>
internal static class SandboxEvents
{
    internal static SandboxEvent From(Corev1Event item)
    {
        var result = new SandboxEvent
        {
            Type = item.Type ?? string.Empty,
            Reason = item.Reason ?? string.Empty,
            Message = item.Message ?? string.Empty,
            Count = item.Count ?? 1,
        };

        // Newer producers set only eventTime; older ones lastTimestamp.
        var seen = item.LastTimestamp ?? item.EventTime ?? item.FirstTimestamp ?? item.Metadata?.CreationTimestamp;
        if (seen is { } time)
        {
            result.LastSeen = Timestamp.FromDateTime(DateTime.SpecifyKind(time, DateTimeKind.Utc));
        }

        return result;
    }
}
