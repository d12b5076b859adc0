using System.Collections.Concurrent;
using System.Text.Json;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Compiling;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Registry;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.ImageAssembly;
using OpenShell.DevLoop.Publishing;
using OpenShell.DevLoop.Telemetry;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// An image component through the engine and the cluster: <c>dotnet publish</c> of its project (one at a time, see
/// <see cref="PublishGate"/>), an image from its Dockerfile tagged <c>&lt;IMAGE_REPO_BASE&gt;/&lt;repository&gt;:&lt;IMAGE_TAG&gt;</c>,
/// labelled with its planned fingerprint (<see cref="GatewayImageBuilder.FingerprintLabel"/>), a push that learns the digest,
/// and the wait for its StatefulSet. A Dockerfile with an app <c>COPY</c> (<see cref="AppCopyInstruction"/>) is assembled
/// (<see cref="AppImageAssembler"/>: a base built once, the app layer written here and pushed through the registry API);
/// another is built whole and pushed by the engine.
/// </summary>
/// <remarks>
/// With <paramref name="warm"/> (a long-lived front end), a publish whose edit touched only <c>.cs</c> files of the project
/// and the projects it references is compiled by a warm compiler straight into the kept publish folder instead of
/// <c>dotnet publish</c>; anything else is published by MSBuild, after which the compiler takes its command lines again.
/// </remarks>
/// <param name="docker">The engine.</param>
/// <param name="settings">The settings.</param>
/// <param name="gate">The publish gate shared with binary components.</param>
/// <param name="logger">The deploy's logger.</param>
/// <param name="ports">How this machine reaches the registry on the engine's loopback, before a deploy target exists.</param>
/// <param name="warm">The warm compilers of a long-lived front end (null: every publish is MSBuild's).</param>
internal sealed class ImageComponentDeployer(
    IDockerClient docker, OpenShellSettings settings, PublishGate gate, ILogger logger, IEnginePorts? ports = null, WarmBuilds? warm = null) : IImageComponentDeployer
{
    // Assembled images between their build and their push, by tag.
    private readonly ConcurrentDictionary<string, AssembledImage> _assembled = new(StringComparer.Ordinal);

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
        var compiler = warm?.For(root, image.Project, output, GatewayPublisher.PublishProperties(architecture));
        await run.PhaseAsync(DeployStep.Builds, name, DeploySpanNames.Publish(name),
            () => gate.RunAsync(() => PublishAsync(compiler, run, name, image.Project, executable, root, architecture, output, ct), ct)).ConfigureAwait(false);
        _assembled.TryRemove(tag, out _);
        var dockerfile = Path.Combine(root, image.Dockerfile);
        var copy = File.Exists(dockerfile) ? AppCopyInstruction.Find(await File.ReadAllTextAsync(dockerfile, ct).ConfigureAwait(false)) : null;
        if (copy is not null)
        {
            run.Progress(DeployStep.Builds, name, $"assembling image {tag}: the app layer on the base of {image.Dockerfile}");
            return await run.PhaseAsync(DeployStep.Builds, name, DeploySpanNames.ImageBuild, async () =>
            {
                var reference = ImageReference.Parse(tag);
                using var registry = await RegistryOfAsync(reference, target, ct).ConfigureAwait(false);
                var began = DateTime.UtcNow;
                try
                {
                    await DeployFaultPoints.ReachAsync(DeployFaultPoints.ImageBuild, ct).ConfigureAwait(false);
                    var baseImage = await AppImageAssembler.EnsureBaseAsync(docker, registry, reference, output, copy, settings.Images.RuntimeDeps, new CachePaths(root).ImageLayerRecords,
                        logger, target.Request.PullProgress, line => run.Progress(DeployStep.Builds, name, line), ct).ConfigureAwait(false);
                    var labels = new Dictionary<string, string> { [GatewayImageBuilder.FingerprintLabel] = target.Plan[name].Fingerprint };
                    _assembled[tag] = await AppImageAssembler.AssembleAsync(baseImage, output, copy, reference, labels, ct).ConfigureAwait(false);
                }
                catch (RegistryException ex)
                {
                    throw await RegistryFailureAsync(ex, began, tag, "assembling", ct).ConfigureAwait(false);
                }

                return tag;
            }).ConfigureAwait(false);
        }

        run.Progress(DeployStep.Builds, name, $"building image {tag} on {settings.Images.RuntimeDeps}");
        await run.PhaseAsync(DeployStep.Builds, name, DeploySpanNames.ImageBuild, async () =>
        {
            await GatewayImageBuilder.BuildAsync(docker, root, output, tag, settings.Images.RuntimeDeps, logger, target.Request.PullProgress, ct, image.Dockerfile,
                target.Plan[name].Fingerprint).ConfigureAwait(false);
            return tag;
        }).ConfigureAwait(false);
        return tag;
    }

    public async Task<GatewayImage> PushAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(run);
        var tag = TagOf(component);
        void Progress(string line) => run.Progress(DeployStep.ImagePush, component.Name, line);
        if (!_assembled.TryRemove(tag, out var assembled))
        {
            return await GatewayImageBuilder.PushAsync(docker, tag, logger, Progress, target.Ports, ct).ConfigureAwait(false);
        }

        using var registry = await RegistryOfAsync(assembled.Reference, target, ct).ConfigureAwait(false);
        var began = DateTime.UtcNow;
        try
        {
            return await AppImageAssembler.PushAsync(registry, assembled, logger, Progress, ct).ConfigureAwait(false);
        }
        catch (RegistryException ex)
        {
            throw await RegistryFailureAsync(ex, began, tag, "pushing", ct).ConfigureAwait(false);
        }
    }

    // A registry that stopped answering mid-request is explained by the engine it runs on, then worded for the image.
    private async Task<RegistryException> RegistryFailureAsync(RegistryException error, DateTime began, string tag, string doing, CancellationToken ct) =>
        AppImageAssembler.Explain(await RegistryOutage.ExplainAsync(docker, settings.Registry.ContainerName, began, error, ct).ConfigureAwait(false), tag, doing);

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

    // The warm compiler when it can bring the publish folder up to date, else dotnet publish (then the compiler captures again).
    private Task<string> PublishAsync(
        WarmCompiler? compiler, DeployRun run, string name, string project, string? executable, string root, string architecture, string output, CancellationToken ct) =>
        WarmOrMSBuild.BuildAsync(compiler, project, output, executable, output,
            ($"dotnet publish {project} for linux/{architecture}", () => GatewayPublisher.PublishAsync(root, project, executable, architecture, output, logger, ct)),
            line => run.Progress(DeployStep.Builds, name, line), logger, ct);

    private string TagOf(ComponentDefinition component) => $"{RepositoryOf(component)}:{settings.Cluster.ImageTag}";

    // The registry's API where this machine reaches it (through the engine's forwards for a remote engine).
    private static async Task<RegistryClient> RegistryOfAsync(ImageReference reference, DeployTarget target, CancellationToken ct)
    {
        var host = reference.Registry ?? throw new InvalidOperationException($"{reference} names no registry; set IMAGE_REPO_BASE to host:port/path.");
        var dialled = await target.Ports.DialAsync(host, ct).ConfigureAwait(false);
        return new RegistryClient(RegistryEndpoint.For(dialled));
    }
}
