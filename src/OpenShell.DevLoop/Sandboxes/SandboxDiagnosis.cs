using System.Globalization;
using System.Text;
using OpenShell.Core.V1;

namespace OpenShell.DevLoop.Sandboxes;

/// <summary>Why a sandbox did not become ready, from its last status and its pod's events: the cause and the fix.</summary>
public static class SandboxDiagnosis
{
    private static readonly string[] s_imageReasons = ["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName"];

    /// <summary>
    /// The error for a sandbox that stopped short of registering: <paramref name="last"/> is its last status (null when
    /// none was seen), <paramref name="timeout"/> set when the wait ran out rather than the sandbox failing.
    /// </summary>
    public static SandboxException Explain(string name, Sandbox? last, IReadOnlyList<SandboxEvent> events, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(events);
        var (cause, remedy) = Cause(name, last, events, timeout);
        var message = new StringBuilder(cause);
        if (last is not null)
        {
            message.Append(CultureInfo.InvariantCulture, $"; last status: {Describe(last)}");
        }

        var shown = events.Any(e => e.Type == "Warning")
            ? events.Where(e => e.Type == "Warning").TakeLast(5)
            : events.TakeLast(5);
        foreach (var item in shown)
        {
            message.Append(CultureInfo.InvariantCulture, $"\n  event {item.Type} {item.Reason}: {item.Message}");
        }

        return new SandboxException(message.ToString(), remedy) { Sandbox = last };
    }

    /// <summary>One line for a status: phase, pod phase, exit code and message.</summary>
    public static string Describe(Sandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var text = new StringBuilder(PhaseName(sandbox.Phase));
        text.Append(CultureInfo.InvariantCulture, $" (pod {(sandbox.PodPhase.Length > 0 ? sandbox.PodPhase : "unknown")}");
        if (sandbox.HasExitCode)
        {
            text.Append(CultureInfo.InvariantCulture, $", exit code {sandbox.ExitCode}");
        }

        if (sandbox.Message.Length > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {sandbox.Message}");
        }

        return text.Append(')').ToString();
    }

    /// <summary>The phase as people read it (<c>Ready</c>, <c>Starting</c>, ...).</summary>
    public static string PhaseName(SandboxPhase phase) => phase switch
    {
        SandboxPhase.Pending => "Pending",
        SandboxPhase.Starting => "Starting",
        SandboxPhase.Ready => "Ready",
        SandboxPhase.Succeeded => "Succeeded",
        SandboxPhase.Failed => "Failed",
        SandboxPhase.Deleted => "Deleted",
        _ => "Unknown",
    };

    private static (string Cause, string Remedy) Cause(string name, Sandbox? last, IReadOnlyList<SandboxEvent> events, TimeSpan? timeout)
    {
        var image = last?.Image is { Length: > 0 } known ? known : "its image";
        var imageProblem = events.LastOrDefault(e => s_imageReasons.Contains(e.Reason, StringComparer.Ordinal))?.Message
            ?? (last is not null && s_imageReasons.Contains(last.Message, StringComparer.Ordinal) ? last.Message : null);
        if (imageProblem is not null)
        {
            return (
                $"sandbox '{name}' cannot start: the image {image} cannot be pulled ({imageProblem})",
                "Offline, build the stand-in images with 'sudo bash eng/offline-images.sh' (it tags the community base image locally); otherwise check the image name and that the cluster can reach its registry.");
        }

        if (last?.Phase == SandboxPhase.Deleted)
        {
            return ($"sandbox '{name}' was deleted before its supervisor registered", "Create it again.");
        }

        if (last is { Phase: SandboxPhase.Failed or SandboxPhase.Succeeded } ended && ended.Supervisor is null)
        {
            var code = ended.HasExitCode ? ended.ExitCode.ToString(CultureInfo.InvariantCulture) : "unknown";
            return code switch
            {
                "69" => (
                    $"sandbox '{name}' stopped: its supervisor could not register with the gateway (exit code 69)",
                    "Read the sandbox's log for the supervisor's last error; the gateway's --grpc-endpoint must be reachable from pods and the client TLS secret must be signed by the gateway's CA."),
                "127" or "126" => (
                    $"sandbox '{name}' stopped: the supervisor {Core.SupervisorEnvironment.SupervisorPath} could not be run in the image (exit code {code})",
                    "Deploy the supervisor to the node (the supervisor component), then create the sandbox again."),
                _ => (
                    $"sandbox '{name}' stopped before its supervisor registered (exit code {code})",
                    "Read the sandbox's log for the supervisor's output."),
            };
        }

        var waited = timeout is { } t ? $"within {t.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s" : "in time";
        return last?.Phase switch
        {
            SandboxPhase.Starting => (
                $"sandbox '{name}' runs but its supervisor did not register {waited}",
                "Read the sandbox's log for the supervisor's error; check that the gateway is reachable from pods and that the node has the supervisor (deploy the supervisor component)."),
            _ => (
                $"sandbox '{name}' did not start {waited}",
                "Check the cluster's health and the pod's events above; a large image may need a longer --timeout."),
        };
    }
}
