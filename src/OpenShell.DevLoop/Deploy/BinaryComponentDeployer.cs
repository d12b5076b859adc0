using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Compiling;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Telemetry;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// A binary component through the engine: <c>dotnet publish</c> of its project for the cluster's architecture (one at a
/// time, see <see cref="PublishGate"/>), then the atomic, content-addressed swap at its node path and the sha256 read
/// back: the dev build's folder as a tree (<see cref="TreeDeployer"/>), the release build's single file as a file
/// (<see cref="SupervisorDeployer"/>).
/// </summary>
/// <remarks>
/// With <paramref name="warm"/> (a long-lived front end), a dev build whose edit touched only <c>.cs</c> files of the
/// project and the projects it references is compiled by a warm compiler straight into the publish folder instead of
/// <c>dotnet publish</c>; anything else is published by MSBuild, after which the compiler takes its command lines again.
/// </remarks>
internal sealed class BinaryComponentDeployer(IDockerClient docker, PublishGate gate, ILogger logger, WarmBuilds? warm = null) : IBinaryComponentDeployer
{
    public async Task<string> DeployAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(run);
        var binary = component.BinarySettings;
        var name = component.Name;
        var root = target.RepositoryRoot;
        var architecture = target.Architecture;
        var build = target.Request.SupervisorBuild;
        var output = new CachePaths(root).BinaryPublish(name, architecture, build);
        var compiler = build == SupervisorBuild.Dev ? warm?.For(root, binary.Project, output, SupervisorPublisher.DevBuildProperties(architecture, output)) : null;
        var published = await run.PhaseAsync(DeployStep.Supervisor, name, DeploySpanNames.Publish(name),
            () => gate.RunAsync(() => BuildAsync(compiler, run, name, binary, root, architecture, output, build, ct), ct)).ConfigureAwait(false);
        run.Progress(DeployStep.Supervisor, name, $"copying {binary.FileName} into the cluster node");
        var fingerprint = target.Plan[name].Fingerprint;
        return await run.PhaseAsync(DeployStep.Supervisor, name, DeploySpanNames.Swap(name),
            () => build == SupervisorBuild.Dev
                ? TreeDeployer.DeployAsync(docker, target.ContainerId, output, binary, fingerprint,
                    NodeStoreIndex.For(new CachePaths(root).Directory, target.ContainerId, binary.FileName), new FileHashCache(output + ".sha256"), ct)
                : SupervisorDeployer.DeployAsync(docker, target.ContainerId, published, binary, fingerprint, ct),
            sha => [new(TelemetryTags.SupervisorSha256, sha)]).ConfigureAwait(false);
    }

    private Task<string> BuildAsync(
        WarmCompiler? compiler, DeployRun run, string name, BinaryDeployment binary, string root, string architecture, string output, SupervisorBuild build, CancellationToken ct) =>
        WarmOrMSBuild.BuildAsync(compiler, binary.Project, output, binary.FileName, Path.Combine(output, binary.FileName),
            ($"dotnet publish {binary.Project} for linux/{architecture} ({build.ToString().ToLowerInvariant()} build)",
                () => SupervisorPublisher.PublishAsync(root, binary.Project, binary.FileName, architecture, output, build, logger, ct)),
            line => run.Progress(DeployStep.Supervisor, name, line), logger, ct);
}
