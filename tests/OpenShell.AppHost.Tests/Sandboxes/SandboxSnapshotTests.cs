using Google.Protobuf.WellKnownTypes;
using OpenShell.AppHost.Sandboxes;
using OpenShell.Core.V1;

namespace OpenShell.AppHost.Tests.Sandboxes;

/// <summary>How each sandbox status reads on the dashboard, and when its supervisor is stale.</summary>
public sealed class SandboxSnapshotTests
{
    private static readonly string s_a = new('a', 64);
    private static readonly string s_b = new('b', 64);

    public static TheoryData<SandboxPhase, string?, string?, string, bool> States => new()
    {
        { SandboxPhase.Pending, null, s_a, "Pending", false },
        { SandboxPhase.Starting, null, s_a, "Starting", false },
        { SandboxPhase.Ready, s_a, s_a, "Running", false },
        { SandboxPhase.Ready, s_a, null, "Running", false },
        { SandboxPhase.Ready, s_a, s_b, SandboxSnapshot.StaleState, true },
        { SandboxPhase.Succeeded, s_a, s_b, KnownResourceStates.Finished, true },
        { SandboxPhase.Failed, null, s_a, KnownResourceStates.FailedToStart, false },
        { SandboxPhase.Deleted, s_a, s_a, "Deleted", false },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void State_and_stale_flag(SandboxPhase phase, string? registered, string? node, string state, bool stale)
    {
        var sandbox = new Sandbox { Name = "box", Image = "img:1", Phase = phase, PodPhase = "Running", CreatedAt = Timestamp.FromDateTime(DateTime.UtcNow) };
        if (registered is not null)
        {
            sandbox.Supervisor = new SupervisorInfo { Version = "0.1.0", BinarySha256 = registered };
        }

        var initial = new CustomResourceSnapshot { ResourceType = "x", Properties = [new ResourcePropertySnapshot("other", "kept")] };
        var snapshot = SandboxSnapshot.Apply(initial, sandbox, node);

        Assert.Equal(state, snapshot.State?.Text);
        Assert.Equal(stale, SandboxSnapshot.IsStale(sandbox, node));
        Assert.Equal(phase == SandboxPhase.Deleted, snapshot.IsHidden);
        Assert.Equal(OpenShellSandboxResource.ResourceType, snapshot.ResourceType);
        var properties = snapshot.Properties.ToDictionary(p => p.Name, p => p.Value?.ToString());
        Assert.Equal("kept", properties["other"]);
        Assert.Equal("img:1", properties[SandboxSnapshot.Image]);
        Assert.Equal(registered, properties.GetValueOrDefault(SandboxSnapshot.SupervisorSha256));
        Assert.Equal(node, properties.GetValueOrDefault(SandboxSnapshot.NodeSha256));
        Assert.Equal(stale, properties[SandboxSnapshot.Stale]!.StartsWith("yes", StringComparison.Ordinal));
    }
}
