using Docker.DotNet.Models;
using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Tests.Cluster;

public sealed class BootstrapDecisionTests
{
    private static ContainerInspectResponse Container(string status, bool running, string? health, long exitCode = 0) => new()
    {
        State = new ContainerState { Status = status, Running = running, ExitCode = exitCode, Health = health is null ? null : new Health { Status = health } },
    };

    public static TheoryData<ContainerInspectResponse?, BootstrapAction, string> Cases => new()
    {
        { null, BootstrapAction.Create, "no container" },
        { Container("running", true, "healthy"), BootstrapAction.Reuse, "healthy" },
        { Container("running", true, "unhealthy"), BootstrapAction.Recreate, "'unhealthy'" },
        { Container("running", true, "starting"), BootstrapAction.Recreate, "'starting'" },
        { Container("exited", false, "healthy", 134), BootstrapAction.Start, "was stopped (exit 134); it is started again with its volume" },
        { Container("exited", false, "unhealthy", 0), BootstrapAction.Start, "was stopped (exit 0)" },
        { Container("dead", false, "healthy"), BootstrapAction.Recreate, "is not running (state 'dead')" },
        { Container("created", false, null), BootstrapAction.Recreate, "is not running (state 'created')" },
        { Container("running", true, null), BootstrapAction.Recreate, "no health status" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides_as_upstream_with_a_reason(ContainerInspectResponse? container, BootstrapAction action, string reason)
    {
        var decision = BootstrapDecision.Decide("openshell-cluster-x", container);

        Assert.Equal(action, decision.Action);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
        Assert.Contains("openshell-cluster-x", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exited_node_keeps_its_problem_and_exit_code_for_whoever_refuses_to_start_it()
    {
        var decision = BootstrapDecision.Decide("openshell-cluster-x", Container("exited", false, "healthy", 134));

        Assert.Equal("container openshell-cluster-x is not running (state 'exited')", decision.Problem);
        Assert.Equal(134, decision.ExitCode);
        Assert.False(decision.ContainerRunning);
    }
}
