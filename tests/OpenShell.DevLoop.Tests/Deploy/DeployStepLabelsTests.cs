using OpenShell.DevLoop.Deploy;

namespace OpenShell.DevLoop.Tests.Deploy;

public sealed class DeployStepLabelsTests
{
    public static TheoryData<DeployStep, double, string> Lines => new()
    {
        { DeployStep.ChangeDetection, 0.2, "Change detection took 0s" },
        { DeployStep.Builds, 12.5, "Builds took 13s" },
        { DeployStep.Supervisor, 3.4, "Supervisor build + deploy took 3s" },
        { DeployStep.ImagePush, 1, "Image push took 1s" },
        { DeployStep.HelmUpgrade, 2.49, "Helm upgrade took 2s" },
        { DeployStep.GatewayRollout, 61, "Gateway rollout took 61s" },
        { DeployStep.Total, 75.6, "Total deploy took 76s" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Timing_lines_use_upstream_labels(DeployStep step, double seconds, string expected) =>
        Assert.Equal(expected, DeployStepLabels.TookLine(step, TimeSpan.FromSeconds(seconds)));
}
