using k8s;
using k8s.Models;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests;

/// <summary>With a helm binary, a HelmChart whose chart the simulator holds is rendered by helm and installed whole.</summary>
public sealed class HelmTemplateTests
{
    [Fact]
    public async Task The_bundled_chart_is_rendered_with_its_values_and_uninstalled_with_the_chart()
    {
        var helm = await KubeTools.HelmAsync();
        using var charts = new TempDirectory("kubesim-static-charts");
        (await TestProcess.RunAsync(helm, ["package", Path.Combine(RepositoryPaths.Root, "deploy", "helm", "openshell"), "--destination", charts.Path], timeout: TimeSpan.FromSeconds(60)))
            .EnsureSuccess("helm package");
        var tgz = Path.GetFileName(Directory.GetFiles(charts.Path, "*.tgz").Single());
        await using var sim = await KubeSimServer.StartAsync(new KubeSimOptions
        {
            HelmJobDelay = TimeSpan.FromMilliseconds(20),
            RolloutDelay = TimeSpan.FromMilliseconds(20),
            PodStartDelay = TimeSpan.FromMilliseconds(20),
            HelmBinary = helm,
            StaticChartsDirectory = charts.Path,
        });
        using var client = sim.CreateClient();
        using var helmCharts = new GenericClient(client, "helm.cattle.io", "v1", "helmcharts", disposeClient: false);
        await helmCharts.CreateNamespacedAsync(new HelmChart
        {
            Metadata = new V1ObjectMeta { Name = "openshell" },
            Spec = new HelmChartSpec
            {
                Chart = $"https://%{{KUBERNETES_API}}%/static/charts/{tgz}",
                TargetNamespace = "openshell",
                ValuesContent = "image:\n  repository: 127.0.0.1:5000/openshell/gateway\n  tag: dev\nservice:\n  nodePort: 30123\n",
            },
        }, "kube-system");

        var sts = await Eventually.WaitForAsync(() => client.AppsV1.ReadNamespacedStatefulSetAsync("openshell", "openshell"), s => s.Status?.ReadyReplicas == 1, "the rendered StatefulSet to roll out");
        var container = sts.Spec.Template.Spec.Containers.Single();
        Assert.Equal("127.0.0.1:5000/openshell/gateway:dev", container.Image);
        Assert.Contains(container.Env, e => e.Name == "OPENSHELL_TLS_CERT" && e.Value == "/etc/openshell/tls/server/tls.crt");
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Contains(sts.Spec.Template.Spec.Volumes, v => v.Secret?.SecretName == "openshell-server-tls");
        var service = await client.CoreV1.ReadNamespacedServiceAsync("openshell", "openshell");
        Assert.Equal(("NodePort", 30123), (service.Spec.Type, service.Spec.Ports.Single().NodePort));
        Assert.NotNull(await client.RbacAuthorizationV1.ReadNamespacedRoleAsync("openshell-sandboxes", "openshell"));
        Assert.Equal("openshell", service.Metadata.Annotations["meta.helm.sh/release-name"]);

        await helmCharts.DeleteNamespacedAsync<V1Status>("kube-system", "openshell");
        await Eventually.WaitForAsync(() => client.CoreV1.ListNamespacedServiceAsync("openshell"), l => l.Items.Count == 0, "the release's services to be removed");
        Assert.Empty((await client.AppsV1.ListNamespacedStatefulSetAsync("openshell")).Items);
    }
}
