using Aspire.Hosting;

namespace OpenShell.AppHost.Tests.Registry;

/// <summary>Inspects the app model only: nothing is started.</summary>
public sealed class RegistryModelTests
{
    private static async Task<LocalRegistryResource> BuildRegistryAsync(params string[] args)
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenShell_AppHost>(args);
        return Assert.Single(appHost.Resources.OfType<LocalRegistryResource>());
    }

    [Fact]
    public async Task Registry_uses_public_image_by_default()
    {
        var registry = await BuildRegistryAsync();

        Assert.Equal("registry", registry.Name);
        Assert.True(registry.TryGetContainerImageName(out var image));
        Assert.Equal("docker.io/library/registry:2", image);
    }

    [Fact]
    public async Task Offline_environment_uses_the_stand_in_image()
    {
        var registry = await BuildRegistryAsync("--environment=Offline");

        Assert.True(registry.TryGetContainerImageName(out var image));
        Assert.Equal("openshell-offline/registry:2", image);
    }

    [Fact]
    public async Task Image_is_configuration()
    {
        var registry = await BuildRegistryAsync("--OpenShell:Images:Registry=mirror.example:8443/tools/registry:2.8");

        var annotation = registry.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal("mirror.example:8443", annotation.Registry);
        Assert.Equal("tools/registry", annotation.Image);
        Assert.Equal("2.8", annotation.Tag);
    }

    [Fact]
    public async Task Endpoint_is_published_by_docker_on_the_configured_port_and_not_proxied()
    {
        var registry = await BuildRegistryAsync("--OpenShell:Registry:HostPort=5123");

        var endpoint = Assert.Single(registry.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal("http", endpoint.Name);
        Assert.Equal(5123, endpoint.Port);
        Assert.Equal(5000, endpoint.TargetPort);
        Assert.False(endpoint.IsProxied);
        Assert.False(endpoint.IsExternal);
    }

    [Fact]
    public async Task Health_check_probes_v2()
    {
        var registry = await BuildRegistryAsync();

        var health = Assert.Single(registry.Annotations.OfType<HealthCheckAnnotation>());
        Assert.StartsWith("registry_", health.Key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_is_persistent_with_a_named_volume_and_container()
    {
        var registry = await BuildRegistryAsync();

        Assert.Equal(ContainerLifetime.Persistent, registry.Annotations.OfType<ContainerLifetimeAnnotation>().Single().Lifetime);
        Assert.Equal("openshell-local-registry", registry.Annotations.OfType<ContainerNameAnnotation>().Single().Name);
        var volume = Assert.Single(registry.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal(ContainerMountType.Volume, volume.Type);
        Assert.Equal("openshell-local-registry-data", volume.Source);
        Assert.Equal("/var/lib/registry", volume.Target);
    }

    [Fact]
    public async Task Session_lifetime_when_not_persistent()
    {
        var registry = await BuildRegistryAsync("--OpenShell:Registry:Persistent=false");

        Assert.DoesNotContain(registry.Annotations.OfType<ContainerLifetimeAnnotation>(), a => a.Lifetime == ContainerLifetime.Persistent);
    }

    [Fact]
    public async Task Invalid_port_is_a_clear_error()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => BuildRegistryAsync("--OpenShell:Registry:HostPort=70000"));

        Assert.Contains("OpenShell:Registry:HostPort", error.ToString(), StringComparison.Ordinal);
    }
}
