using k8s;
using OpenShell.DevLoop.Deploy;

namespace OpenShell.DevLoop.Tests.Deploy;

/// <summary>The HelmChart object the cluster's manifests create, empty, for tests that patch it.</summary>
internal static class TestHelmChart
{
    public static async Task CreateAsync(IKubernetes kube)
    {
        var chart = new Dictionary<string, object>
        {
            ["apiVersion"] = $"{HelmChartDeployer.Group}/{HelmChartDeployer.Version}",
            ["kind"] = "HelmChart",
            ["metadata"] = new Dictionary<string, object> { ["name"] = HelmChartDeployer.Name, ["namespace"] = HelmChartDeployer.Namespace },
            ["spec"] = new Dictionary<string, object> { ["targetNamespace"] = "openshell", ["chartContent"] = "", ["valuesContent"] = "" },
        };
        await kube.CustomObjects.CreateNamespacedCustomObjectAsync(chart, HelmChartDeployer.Group, HelmChartDeployer.Version, HelmChartDeployer.Namespace, HelmChartDeployer.Plural);
    }
}
