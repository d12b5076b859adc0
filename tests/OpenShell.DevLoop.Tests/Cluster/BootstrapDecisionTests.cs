using Docker.DotNet.Models;
using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Tests.Cluster;

public sealed class BootstrapDecisionTests
{
    private static ContainerInspectResponse Container(string status, bool running, string? health) => new()
    {
        State = new ContainerState { Status = status, Running = running, Health = health is null ? null : new Health { Status = health } },
    };

    public static TheoryData<ContainerInspectResponse?, BootstrapAction, string> Cases => new()
    {
        { null, BootstrapAction.Create, "no container" },
        { Container("running", true, "healthy"), BootstrapAction.Reuse, "healthy" },
        { Container("running", true, "unhealthy"), BootstrapAction.Recreate, "'unhealthy'" },
        { Container("running", true, "starting"), BootstrapAction.Recreate, "'starting'" },
        { Container("exited", false, "healthy"), BootstrapAction.Recreate, "is not running (state 'exited')" },
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
}
