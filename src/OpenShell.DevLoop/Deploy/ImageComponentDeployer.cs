using System.Text.Json;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Telemetry;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// An image component through the engine and the cluster: <c>dotnet publish</c> of its project (one at a time, see
/// <see cref="PublishGate"/>), an image from its Dockerfile tagged <c>&lt;IMAGE_REPO_BASE&gt;/&lt;repository&gt;:&lt;IMAGE_TAG&gt;</c>,
/// labelled with its planned fingerprint (<see cref="GatewayImageBuilder.FingerprintLabel"/>), a push that learns the digest,
/// and the wait for its StatefulSet.
/// </summary>
/// <param name="docker">The engine.</param>
/// <param name="settings">The settings.</param>
/// <param name="gate">The publish gate shared with binary components.</param>
/// <param name="logger">The deploy's logger.</param>
/// <param name="ports">How this machine reaches the registry on the engine's loopback, before a deploy target exists.</param>
internal sealed class ImageComponentDeployer(IDockerClient docker, OpenShellSettings settings, PublishGate gate, ILogger logger, IEnginePorts? ports = null) : IImageComponentDeployer
{
    public string RepositoryOf(ComponentDefinition component)
    {
        ArgumentNullException.ThrowIfNull(component);
        return $"{settings.Cluster.ImageRepoBase}/{component.ImageSettings.Repository}";
    }

    public async Task<string> BuildAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(run);
        var image = component.ImageSettings;
        var name = component.Name;
        var root = target.RepositoryRoot;
        var architecture = target.Architecture;
        var tag = TagOf(component);
        var output = new CachePaths(root).ImagePublish(name, architecture);

        // The gateway's executable is known; another project's outputs are only checked to exist.
        var executable = image.Project == GatewayPublisher.ProjectPath ? GatewayPublisher.BinaryName : null;
        run.Progress(DeployStep.Builds, name, $"dotnet publish {image.Project} for linux/{architecture}");
        await run.PhaseAsync(DeployStep.Builds, name, DeploySpanNames.Publish(name),
            () => gate.RunAsync(() => GatewayPublisher.PublishAsync(root, image.Project, executable, architecture, output, logger, ct), ct)).ConfigureAwait(false);
        run.Progress(DeployStep.Builds, name, $"building image {tag} on {settings.Images.RuntimeDeps}");
        await run.PhaseAsync(DeployStep.Builds, name, DeploySpanNames.ImageBuild, async () =>
        {
            await GatewayImageBuilder.BuildAsync(docker, root, output, tag, settings.Images.RuntimeDeps, logger, target.Request.PullProgress, ct, image.Dockerfile,
                target.Plan[name].Fingerprint).ConfigureAwait(false);
            return tag;
        }).ConfigureAwait(false);
        return tag;
    }

    public Task<GatewayImage> PushAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(run);
        return GatewayImageBuilder.PushAsync(docker, TagOf(component), logger, line => run.Progress(DeployStep.ImagePush, component.Name, line), target.Ports, ct);
    }

    public async Task<bool?> RegistryHoldsAsync(ComponentDefinition component, string fingerprint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(component);
        try
        {
            var image = await GatewayImageBuilder.RegistryLabelsAsync(ImageReference.Parse(TagOf(component)), ports, ct).ConfigureAwait(false);
            return image is { } found && found.Labels.GetValueOrDefault(GatewayImageBuilder.FingerprintLabel) == fingerprint;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public async Task<string?> ReadRunningImageAsync(ComponentDefinition component, DeployTarget target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(target);
        var image = component.ImageSettings;
        var kube = await target.KubernetesAsync(ct).ConfigureAwait(false);
        return await GatewayRolloutWaiter.ReadImageAsync(kube, image.WorkloadNamespace, image.WorkloadName, ct).ConfigureAwait(false);
    }

    public async Task WaitForRolloutAsync(ComponentDefinition component, string image, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(run);
        var settingsOf = component.ImageSettings;
        var kube = await target.KubernetesAsync(ct).ConfigureAwait(false);
        await GatewayRolloutWaiter.WaitAsync(kube, settingsOf.WorkloadNamespace, settingsOf.WorkloadName, image, target.Request.RolloutTimeout,
            m => run.Progress(DeployStep.GatewayRollout, component.Name, m), ct).ConfigureAwait(false);
    }

    private string TagOf(ComponentDefinition component) => $"{RepositoryOf(component)}:{settings.Cluster.ImageTag}";
}
