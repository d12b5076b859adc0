using OpenShell.Core.V1;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.DevLoop.Tests.Sandboxes;

/// <summary>Each way a sandbox can stop short of registering gets its own cause and fix.</summary>
public sealed class SandboxDiagnosisTests
{
    private const string Image = "ghcr.io/nvidia/openshell-community/sandboxes/base:latest";

    public static TheoryData<string, Sandbox?, SandboxEvent[], int?, string, string> Cases => new()
    {
        {
            "image pull event", Status(SandboxPhase.Pending, "Pending", "ErrImagePull"),
            [Event("Normal", "Scheduled", "assigned"), Event("Warning", "ErrImagePull", "not found in any registry")], 60,
            $"the image {Image} cannot be pulled (not found in any registry)", "sudo bash eng/offline-images.sh"
        },
        {
            "image pull reason without events", Status(SandboxPhase.Pending, "Pending", "ImagePullBackOff"), [], 60,
            $"the image {Image} cannot be pulled (ImagePullBackOff)", "eng/offline-images.sh"
        },
        {
            "registration refused", Status(SandboxPhase.Failed, "Failed", "Error", exitCode: 69), [], null,
            "its supervisor could not register with the gateway (exit code 69)", "--grpc-endpoint"
        },
        {
            "no supervisor on the node", Status(SandboxPhase.Failed, "Failed", "ContainerCannotRun", exitCode: 127), [], null,
            "the supervisor /opt/openshell/bin/openshell-sandbox could not be run in the image (exit code 127)", "Deploy the supervisor"
        },
        {
            "another exit", Status(SandboxPhase.Failed, "Failed", "Error", exitCode: 3), [], null,
            "stopped before its supervisor registered (exit code 3)", "Read the sandbox's log"
        },
        {
            "running, never registered", Status(SandboxPhase.Starting, "Running", ""), [], 90,
            "runs but its supervisor did not register within 90s", "deploy the supervisor component"
        },
        {
            "never started", Status(SandboxPhase.Pending, "Pending", ""), [], 30,
            "did not start within 30s", "--timeout"
        },
        {
            "nothing seen", null, [], 5,
            "did not start within 5s", "cluster's health"
        },
        {
            "deleted", Status(SandboxPhase.Deleted, "Running", "deleted"), [], null,
            "was deleted before its supervisor registered", "Create it again"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Explains_the_cause_and_the_fix(string why, Sandbox? last, SandboxEvent[] events, int? timeoutSeconds, string cause, string fix)
    {
        var error = SandboxDiagnosis.Explain("box", last, events, timeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

        Assert.True(error.Message.Contains(cause, StringComparison.Ordinal), $"{why}: {error.Message}");
        Assert.True(error.Remedy?.Contains(fix, StringComparison.Ordinal), $"{why}: {error.Remedy}");
        Assert.Same(last, error.Sandbox);
        Assert.Equal("Sandbox", error.StepName);
    }

    [Fact]
    public void Warnings_are_listed_in_preference_to_normal_events_and_the_last_status_is_named()
    {
        var error = SandboxDiagnosis.Explain(
            "box",
            Status(SandboxPhase.Starting, "Running", "", exitCode: null),
            [Event("Normal", "Pulled", "pulled"), Event("Warning", "BackOff", "restarting"), Event("Normal", "Started", "started")],
            TimeSpan.FromSeconds(10));

        Assert.Contains("last status: Starting (pod Running)", error.Message, StringComparison.Ordinal);
        Assert.Contains("event Warning BackOff: restarting", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Pulled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_names_phase_pod_exit_code_and_message()
    {
        Assert.Equal("Failed (pod Failed, exit code 2, Error)", SandboxDiagnosis.Describe(Status(SandboxPhase.Failed, "Failed", "Error", exitCode: 2)));
        Assert.Equal("Pending (pod unknown)", SandboxDiagnosis.Describe(new Sandbox { Phase = SandboxPhase.Pending }));
    }

    private static Sandbox Status(SandboxPhase phase, string podPhase, string message, int? exitCode = null)
    {
        var sandbox = new Sandbox { Name = "box", Image = Image, Phase = phase, PodPhase = podPhase, Message = message };
        if (exitCode is { } code)
        {
            sandbox.ExitCode = code;
        }

        return sandbox;
    }

    private static SandboxEvent Event(string type, string reason, string message) => new() { Type = type, Reason = reason, Message = message, Count = 1 };
}
