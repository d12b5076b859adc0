using System.Collections.Immutable;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.AppHost.Sandboxes;

/// <summary>How a sandbox's status reads on the dashboard: its state and its properties.</summary>
internal static class SandboxSnapshot
{
    /// <summary>The property names, so tests and scripts read them by name.</summary>
    internal const string Image = "sandbox.image";
    internal const string Phase = "sandbox.phase";
    internal const string SupervisorVersion = "sandbox.supervisorVersion";
    internal const string SupervisorSha256 = "sandbox.supervisorSha256";
    internal const string NodeSha256 = "sandbox.nodeBinarySha256";
    internal const string Stale = "sandbox.staleSupervisor";
    internal const string ExitCode = "sandbox.exitCode";
    internal const string Message = "sandbox.message";

    /// <summary>The state text of a sandbox that runs an older supervisor than the node has.</summary>
    internal const string StaleState = "Stale supervisor";

    /// <summary>True when the sandbox's registered supervisor is not the binary the node has now.</summary>
    internal static bool IsStale(Sandbox sandbox, string? nodeSha256) =>
        sandbox.Supervisor is { BinarySha256.Length: > 0 } supervisor
        && !string.IsNullOrEmpty(nodeSha256)
        && !string.Equals(supervisor.BinarySha256, nodeSha256, StringComparison.Ordinal);

    /// <summary><paramref name="previous"/> updated for <paramref name="sandbox"/>, given the node's current supervisor.</summary>
    internal static CustomResourceSnapshot Apply(CustomResourceSnapshot previous, Sandbox sandbox, string? nodeSha256)
    {
        var stale = IsStale(sandbox, nodeSha256);
        var (text, style) = sandbox.Phase switch
        {
            SandboxPhase.Ready when stale => (StaleState, KnownResourceStateStyles.Warn),
            SandboxPhase.Ready => ("Running", KnownResourceStateStyles.Success),
            SandboxPhase.Pending or SandboxPhase.Starting => (SandboxDiagnosis.PhaseName(sandbox.Phase), KnownResourceStateStyles.Info),
            SandboxPhase.Succeeded => (KnownResourceStates.Finished, KnownResourceStateStyles.Success),
            SandboxPhase.Failed => (KnownResourceStates.FailedToStart, KnownResourceStateStyles.Error),
            SandboxPhase.Deleted => ("Deleted", KnownResourceStateStyles.Info),
            _ => (KnownResourceStates.NotStarted, KnownResourceStateStyles.Info),
        };

        var properties = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [Image] = sandbox.Image,
            [Phase] = SandboxDiagnosis.Describe(sandbox),
            [SupervisorVersion] = sandbox.Supervisor?.Version,
            [SupervisorSha256] = sandbox.Supervisor?.BinarySha256,
            [NodeSha256] = nodeSha256,
            [Stale] = stale ? "yes: restart the sandbox to run the node's supervisor" : "no",
            [ExitCode] = sandbox.HasExitCode ? sandbox.ExitCode.ToString(CultureInfo.InvariantCulture) : null,
            [Message] = sandbox.Message,
        };

        var kept = previous.Properties.Where(p => !properties.ContainsKey(p.Name));
        return previous with
        {
            ResourceType = OpenShellSandboxResource.ResourceType,
            State = new ResourceStateSnapshot(text, style),
            IsHidden = sandbox.Phase == SandboxPhase.Deleted,
            CreationTimeStamp = sandbox.CreatedAt?.ToDateTime(),
            ExitCode = sandbox.HasExitCode ? sandbox.ExitCode : null,
            Properties = [.. kept, .. properties.Where(p => p.Value is not null).Select(p => new ResourcePropertySnapshot(p.Key, p.Value) { IsHighlighted = p.Key == Stale && stale })],
        };
    }
}
