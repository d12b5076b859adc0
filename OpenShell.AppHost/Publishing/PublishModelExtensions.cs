using Aspire.Hosting.ApplicationModel;
using OpenShell.DevLoop.Configuration;

namespace Aspire.Hosting;

/// <summary>The deployment view of OpenShell for <c>--publisher manifest</c>.</summary>
public static class PublishModelExtensions
{
    /// <summary>
    /// Adds the gateway and cluster image builds (Dockerfile.gateway, Dockerfile.cluster) and the registry credentials
    /// as parameters (the password flagged secret). Only used in publish mode: this engine's builder cannot run
    /// Aspire's Dockerfile builds, so the dev loop builds images itself.
    /// </summary>
    public static void AddOpenShellPublishModel(this IDistributedApplicationBuilder builder, OpenShellSettings settings, IResourceBuilder<LocalRegistryResource> registry)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(registry);

        var username = builder.AddParameter("registry-username", "openshell", publishValueAsDefault: true);
        var password = builder.AddParameter("registry-password", secret: true);
        var context = Path.Combine("..", "deploy");

#pragma warning disable ASPIREDOCKERFILEBUILDER001
        builder.AddDockerfile("gateway", context, Path.Combine("docker", "Dockerfile.gateway"))
            .WithBuildArg("BASE_IMAGE", settings.Images.RuntimeDeps)
            .WithHttpsEndpoint(targetPort: 8080, name: "grpc")
            .WithHttpEndpoint(targetPort: 8081, name: "health")
            .WithArgs("--port", "8080");

        builder.AddDockerfile("cluster", context, Path.Combine("docker", "Dockerfile.cluster"))
            .WithBuildArg("K3S_IMAGE", settings.Images.K3s)
            .WithBuildArg("BASE_IMAGE", settings.Images.ClusterBase)
            .WithEndpoint(targetPort: 6443, name: "kubernetes", scheme: "https")
            .WithEnvironment("REGISTRY_HOST", settings.Cluster.ImageRepoBase.Split('/')[0])
            .WithEnvironment("REGISTRY_USERNAME", username)
            .WithEnvironment("REGISTRY_PASSWORD", password)
            .WithEnvironment("GPU_ENABLED", settings.Cluster.Gpu ? "true" : "false")
            .WithVolume("openshell-cluster", "/var/lib/rancher/k3s")
            .WaitFor(registry);
#pragma warning restore ASPIREDOCKERFILEBUILDER001
    }
}
