using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace OpenShell.AppHost.Tests.Manifest;

/// <summary>The publish-mode model describes what 'openshell-dev publish' produces (model only: nothing is started).</summary>
public sealed class PublishModelTests
{
    private static async Task<IReadOnlyList<IResource>> PublishModelAsync(params string[] args)
    {
        using var folder = new OpenShell.Testing.TempDirectory("publish-model");
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenShell_AppHost>(
            ["--publisher", "manifest", "--output-path", folder.Combine("manifest.json"), .. args]);
        Assert.True(appHost.ExecutionContext.IsPublishMode);
        return [.. appHost.Resources];
    }

    [Fact]
    public async Task The_cluster_is_the_published_image_and_nothing_carries_a_build_or_runs_the_gateway_alone()
    {
        var resources = await PublishModelAsync("--OpenShell:Publish:Registry=ghcr.io/myorg/", "--OpenShell:Cluster:ImageTag=v3");

        var cluster = Assert.Single(resources, r => r.Name == "cluster");
        Assert.True(cluster.TryGetContainerImageName(out var image));
        Assert.Equal("{cluster-image.value}", image);
        Assert.Equal("ghcr.io/myorg/openshell-cluster:v3", await ClusterImageDefaultAsync(resources));
        Assert.Contains(cluster.Annotations.OfType<ContainerMountAnnotation>(), m => m.Target == "/var/lib/rancher/k3s");
        Assert.Contains(cluster.Annotations.OfType<EndpointAnnotation>(), e => e.TargetPort == 6443);
        Assert.DoesNotContain(resources, r => r.Name == "gateway");
        Assert.DoesNotContain(resources, r => r.Annotations.OfType<DockerfileBuildAnnotation>().Any());
    }

    [Fact]
    public async Task Without_a_publishing_registry_the_image_is_named_under_the_image_repository_base()
    {
        var resources = await PublishModelAsync("--OpenShell:Cluster:ImageRepoBase=registry.internal:5000/team");

        Assert.Equal("registry.internal:5000/team/openshell-cluster:dev", await ClusterImageDefaultAsync(resources));
    }

    // The cluster image is a parameter whose default is the published image.
    private static async Task<string?> ClusterImageDefaultAsync(IReadOnlyList<IResource> resources)
    {
        var parameter = Assert.IsType<ParameterResource>(Assert.Single(resources, r => r.Name == PublishModelExtensions.ClusterImageParameter));
        Assert.False(parameter.Secret);
        return await parameter.GetValueAsync(CancellationToken.None);
    }
}
