using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Registry;

namespace Aspire.Hosting;

/// <summary>Adds the dev environment's local registry.</summary>
public static class LocalRegistryBuilderExtensions
{
    private const string DataPath = "/var/lib/registry";

    /// <summary>
    /// Adds a registry v2 container published on 127.0.0.1 only, with a data volume, a <c>/v2/</c> health
    /// check and (by default) a persistent lifetime. An older container of the same name that cannot serve
    /// the dev loop (a pull-through proxy, the wrong port, published on every interface) is replaced, after its
    /// images are copied into the data volume.
    /// </summary>
    public static IResourceBuilder<LocalRegistryResource> AddOpenShellRegistry(
        this IDistributedApplicationBuilder builder, string name, OpenShellSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(settings);

        var image = ImageReference.Parse(settings.Images.Registry);
        var registry = settings.Registry;
        var resource = builder.AddResource(new LocalRegistryResource(name))
            .WithImage(image.Repository, image.Tag)
            .WithContainerName(registry.ContainerName)
            // Not proxied: docker itself publishes 127.0.0.1:<port>, so the engine can push to it.
            .WithHttpEndpoint(port: registry.HostPort, targetPort: LocalRegistryResource.ContainerPort, name: LocalRegistryResource.HttpEndpointName, isProxied: false)
            .WithVolume(registry.VolumeName, DataPath)
            .WithHttpHealthCheck("/v2/", endpointName: LocalRegistryResource.HttpEndpointName)
            .WithIconName("BoxMultiple")
            .OnBeforeResourceStarted(async (res, e, ct) =>
            {
                var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(res);
                await ReplaceUnusableContainerAsync(logger, registry, image.ToString(), ct).ConfigureAwait(false);
            });

        if (image.Registry is not null)
        {
            resource.WithImageRegistry(image.Registry);
        }

        if (registry.Persistent)
        {
            resource.WithLifetime(ContainerLifetime.Persistent);
        }

        return resource;
    }

    private static async Task ReplaceUnusableContainerAsync(ILogger logger, RegistrySettings registry, string image, CancellationToken ct)
    {
        if (!await DockerEngine.IsAvailableAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false))
        {
            // The orchestrator reports the missing engine itself; nothing to inspect.
            return;
        }

        using var docker = DockerEngine.CreateClient();
        var verdict = await RegistryContainerCheck.EnsureUsableAsync(docker, registry, image, requireOrchestrator: true, ct: ct).ConfigureAwait(false);
        if (verdict is { Replace: true })
        {
            logger.LogWarning("Replaced the existing container {Container}: {Reason}.", registry.ContainerName, verdict.Reason);
            if (verdict.DataNote is { } note)
            {
                logger.LogWarning("Replaced container {Container}: {Note}.", registry.ContainerName, note);
            }
        }
    }
}
