using k8s;
using k8s.Models;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests;

/// <summary>The k3s auto-deploy folder: applied at start, re-applied when a file changes, new files picked up.</summary>
public sealed class ManifestDeployerTests
{
    [Fact]
    public async Task Manifests_are_applied_at_start_and_again_when_they_change()
    {
        using var folder = new TempDirectory("kubesim-manifests");
        var file = folder.Combine("openshell.yaml");
        await File.WriteAllTextAsync(file, Manifest("v1"));
        await File.WriteAllTextAsync(folder.Combine("notes.txt"), "not a manifest");

        await using var sim = await KubeSimServer.StartAsync(new KubeSimOptions { ManifestsDirectory = folder.Path, HelmJobDelay = TimeSpan.FromMilliseconds(20) });
        using var client = sim.CreateClient();

        // Applied before StartAsync returns: no waiting needed.
        var config = await client.CoreV1.ReadNamespacedConfigMapAsync("settings", "openshell");
        Assert.Equal("v1", config.Data["version"]);
        Assert.Equal("kube-system", (await client.CoreV1.ReadNamespacedSecretAsync("defaulted", "kube-system")).Metadata.NamespaceProperty);
        var sts = await Eventually.WaitForAsync(() => client.AppsV1.ListNamespacedStatefulSetAsync("openshell"), l => l.Items.Count == 1, "the chart's StatefulSet");
        Assert.Equal("gateway:v1", sts.Items[0].Spec.Template.Spec.Containers[0].Image);

        await File.WriteAllTextAsync(file, Manifest("v2"));
        await Eventually.WaitForAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("settings", "openshell"), c => c.Data["version"] == "v2", "the changed ConfigMap");
        await Eventually.WaitForAsync(() => client.AppsV1.ReadNamespacedStatefulSetAsync("openshell", "openshell"), s => s.Spec.Template.Spec.Containers[0].Image == "gateway:v2", "the chart's new image");

        await File.WriteAllTextAsync(folder.Combine("extra.yml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n");
        await Eventually.WaitForAsync(() => client.CoreV1.ListNamespaceAsync(), l => l.Items.Any(n => n.Metadata.Name == "extra"), "the new file's namespace");
    }

    [Fact]
    public async Task Missing_manifests_folder_is_a_clear_error()
    {
        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => KubeSimServer.StartAsync(new KubeSimOptions { ManifestsDirectory = "/nonexistent/manifests" }));
        Assert.Contains("/nonexistent/manifests", e.Message, StringComparison.Ordinal);
    }

    private static string Manifest(string version) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: openshell
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: openshell
        data:
          version: "{{version}}"
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: defaulted
        stringData:
          token: abc
        ---
        apiVersion: helm.cattle.io/v1
        kind: HelmChart
        metadata:
          name: openshell
          namespace: kube-system
        spec:
          chart: https://%{KUBERNETES_API}%/static/charts/openshell.tgz
          targetNamespace: openshell
          valuesContent: |-
            image:
              repository: gateway
              tag: {{version}}
        """;
}
