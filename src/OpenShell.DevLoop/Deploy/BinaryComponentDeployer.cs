using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Telemetry;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// A binary component through the engine: <c>dotnet publish</c> of its project for the cluster's architecture (one at a
/// time, see <see cref="PublishGate"/>), then the atomic, content-addressed swap at its node path
/// (<see cref="SupervisorDeployer"/>) and the sha256 read back.
/// </summary>
internal sealed class BinaryComponentDeployer(IDockerClient docker, PublishGate gate, ILogger logger) : IBinaryComponentDeployer
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
        run.Progress(DeployStep.Supervisor, name, $"dotnet publish {binary.Project} for linux/{architecture} ({build.ToString().ToLowerInvariant()} build)");
        var published = await run.PhaseAsync(DeployStep.Supervisor, name, DeploySpanNames.Publish(name),
            () => gate.RunAsync(() => SupervisorPublisher.PublishAsync(root, binary.Project, binary.FileName, architecture, output, build, logger, ct), ct)).ConfigureAwait(false);
        run.Progress(DeployStep.Supervisor, name, $"copying {binary.FileName} into the cluster node");
        return await run.PhaseAsync(DeployStep.Supervisor, name, DeploySpanNames.Swap(name),
            () => SupervisorDeployer.DeployAsync(docker, target.ContainerId, published, binary, target.Plan[name].Fingerprint, ct),
            sha => [new(TelemetryTags.SupervisorSha256, sha)]).ConfigureAwait(false);
    }
}
