using Aspire.Hosting.ApplicationModel;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Publishing;

namespace Aspire.Hosting;

/// <summary>The deployment view of OpenShell for <c>--publisher manifest</c>: what <c>openshell-dev publish</c> produces.</summary>
public static class PublishModelExtensions
{
    /// <summary>
    /// Adds the cluster as the published image, a parameter (<see cref="ClusterImageParameter"/>) defaulting to
    /// <c>&lt;DOCKER_REGISTRY&gt;/openshell-cluster:&lt;IMAGE_TAG&gt;</c> (without <c>DOCKER_REGISTRY</c>, under
    /// <c>IMAGE_REPO_BASE</c>), with its volume, ports, GPU and registry settings, and the
    /// registry credentials as parameters (the password flagged secret). The gateway is no container of its own: it runs
    /// inside the cluster, pulled by the chart, and the published cluster image's chart values already name the published
    /// gateway (<c>openshell-gateway:&lt;IMAGE_TAG&gt;</c>). Nothing here carries a build: the images are built by
    /// <c>openshell-dev publish</c>, whose contexts are assembled by code.
    /// </summary>
    public static void AddOpenShellPublishModel(this IDistributedApplicationBuilder builder, OpenShellSettings settings, IResourceBuilder<LocalRegistryResource> registry)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(registry);

        var username = builder.AddParameter("registry-username", "openshell", publishValueAsDefault: true);
        var password = builder.AddParameter("registry-password", secret: true);

        // The image is a parameter, so a deployment can pick another registry or tag without regenerating the manifest.
        // container.v0 has no field for an image parameter: the image is written as the parameter's value expression
        // ({cluster-image.value}, the manifest's form of every parameter reference), the default is what publish pushes.
        var image = builder.AddParameter(ClusterImageParameter, PublishedClusterImage(settings), publishValueAsDefault: true);
        builder.AddContainer("cluster", PublishedClusterImage(settings))
            .WithAnnotation(new ContainerImageAnnotation { Image = image.Resource.ValueExpression, Tag = null }, ResourceAnnotationMutationBehavior.Replace)
            .WithEndpoint(targetPort: 6443, name: "kubernetes", scheme: "https")
            .WithEndpoint(targetPort: settings.Cluster.GatewayNodePort, name: "gateway", scheme: "https")
            .WithEnvironment("REGISTRY_HOST", settings.Cluster.ImageRepoBase.Split('/')[0])
            .WithEnvironment("REGISTRY_USERNAME", username)
            .WithEnvironment("REGISTRY_PASSWORD", password)
            .WithEnvironment("GPU_ENABLED", settings.Cluster.Gpu ? "true" : "false")
            .WithEnvironment("GATEWAY_NODE_PORT", settings.Cluster.GatewayNodePort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithVolume("openshell-cluster", "/var/lib/rancher/k3s")
            .WaitFor(registry);
    }

    /// <summary>The parameter that names the cluster image (default: <see cref="PublishedClusterImage"/>).</summary>
    public const string ClusterImageParameter = "cluster-image";

    /// <summary>The published cluster image, named as <c>openshell-dev publish</c> names it.</summary>
    internal static string PublishedClusterImage(OpenShellSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var registry = string.IsNullOrWhiteSpace(settings.Publish.Registry) ? settings.Cluster.ImageRepoBase : settings.Publish.Registry.TrimEnd('/');
        return $"{registry}/{PublishTarget.ClusterName}:{settings.Cluster.ImageTag}";
    }
}
