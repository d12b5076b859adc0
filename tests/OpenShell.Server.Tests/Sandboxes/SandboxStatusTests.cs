using k8s.Models;
using OpenShell.Core.V1;
using OpenShell.Server.Sandboxes;

namespace OpenShell.Server.Tests.Sandboxes;

public sealed class SandboxStatusTests
{
    public static TheoryData<string?, bool, int?, SandboxPhase> Cases => new()
    {
        { null, false, null, SandboxPhase.Pending },
        { "Pending", false, null, SandboxPhase.Pending },
        { "Running", false, null, SandboxPhase.Starting },
        { "Running", true, null, SandboxPhase.Ready },
        { "Running", true, 0, SandboxPhase.Succeeded },
        { "Running", true, 3, SandboxPhase.Failed },
        { "Succeeded", false, null, SandboxPhase.Succeeded },
        { "Failed", false, null, SandboxPhase.Failed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Phase_combines_the_pod_and_the_supervisor(string? podPhase, bool registered, int? exitCode, SandboxPhase expected)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "box" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "sandbox", Image = "img:1" }] },
            Status = podPhase is null ? null : new V1PodStatus { Phase = podPhase },
        };
        var now = DateTimeOffset.UtcNow;
        var supervisor = registered ? new SupervisorRecord("box", "0.1.0", new string('a', 64), now, now, exitCode) : null;

        var sandbox = SandboxStatus.From(pod, supervisor);

        Assert.Equal(expected, sandbox.Phase);
        Assert.Equal("img:1", sandbox.Image);
        Assert.Equal(registered, sandbox.Supervisor is not null);
        Assert.Equal(exitCode, sandbox.HasExitCode ? sandbox.ExitCode : null);
    }
}
