using k8s.Models;
using OpenShell.DevLoop.Deploy;

namespace OpenShell.DevLoop.Tests.Deploy;

public sealed class GatewayRolloutTests
{
    private const string Image = "r/gateway@sha256:aa";

    private static V1StatefulSet Sts(string image, long generation, long? observed, int? updated, int? ready, string? current = "r1", string? update = "r1") => new()
    {
        Metadata = new V1ObjectMeta { Name = "openshell", Generation = generation },
        Spec = new V1StatefulSetSpec
        {
            Replicas = 1,
            Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "openshell", Image = image }] } },
        },
        Status = new V1StatefulSetStatus { ObservedGeneration = observed, UpdatedReplicas = updated, ReadyReplicas = ready, CurrentRevision = current, UpdateRevision = update },
    };

    public static TheoryData<string, V1StatefulSet?, bool> Cases => new()
    {
        { "missing", null, false },
        { "old image", Sts("r/gateway@sha256:bb", 2, 2, 1, 1), false },
        { "generation not observed", Sts(Image, 3, 2, 1, 1), false },
        { "not updated", Sts(Image, 3, 3, 0, 1), false },
        { "not ready", Sts(Image, 3, 3, 1, 0), false },
        { "old revision still current", Sts(Image, 3, 3, 1, 1, "r1", "r2"), false },
        { "rolled out", Sts(Image, 3, 3, 1, 1, "r2", "r2"), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rollout_is_done_only_when_the_expected_image_runs_everywhere(string name, V1StatefulSet? sts, bool done)
    {
        var status = GatewayRolloutWaiter.Describe(sts, Image, out var isDone);

        Assert.True(done == isDone, $"{name}: {status}");
        Assert.False(string.IsNullOrWhiteSpace(status));
    }
}
