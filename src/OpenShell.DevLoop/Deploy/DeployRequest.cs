using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Deploy;

/// <summary>What to deploy.</summary>
/// <param name="RepositoryRoot">Any folder inside the working tree.</param>
/// <param name="Targets">Explicit targets (<c>gateway</c>, <c>supervisor</c>/<c>sandbox</c>, <c>chart</c>/<c>helm</c>, <c>all</c>); empty = change detection.</param>
/// <param name="PlanSettings">Upstream's planning variables (<c>CLUSTER_NAME</c>, <c>DEPLOY_FAST_MODE</c>, ...).</param>
public sealed record DeployRequest(string RepositoryRoot, IReadOnlyList<string> Targets, PlanSettings PlanSettings)
{
    /// <summary>Wait for k3s's helm job even when the gateway did not change (<c>DEPLOY_FAST_HELM_WAIT=1</c>).</summary>
    public bool HelmWait { get; init; }

    /// <summary>
    /// How the supervisor is built for the swap (<c>OPENSHELL_SUPERVISOR_BUILD=dev|release</c>): the quick dev build by
    /// default; the cluster image always bakes the release build.
    /// </summary>
    public SupervisorBuild SupervisorBuild { get; init; } = SupervisorBuild.Dev;

    /// <summary>Receives the progress of pulling a missing base image (the gateway's runtime-deps).</summary>
    public IProgress<Docker.ImagePullProgress>? PullProgress { get; init; }

    /// <summary>What started the deploy (<see cref="Telemetry.DeployTriggers"/>), for its trace and the deploy history.</summary>
    public string Trigger { get; init; } = Telemetry.DeployTriggers.Cli;

    /// <summary>How long a second deploy of the same checkout waits for the first before failing.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>What a watcher saw change since the last plan, so planning re-checks only those paths; null scans the tree.</summary>
    internal ChangeDetection.ChangeJournal? Journal { get; init; }

    /// <summary>
    /// After a supervisor swap, start a throwaway sandbox and wait until it registers with the new binary's sha256
    /// before the deploy counts as done (<c>OpenShell:DevHost:VerifyWithSandbox</c>; needs pods that really run).
    /// </summary>
    public bool VerifyWithSandbox { get; init; }

    /// <summary>How long to wait for the helm job and for the gateway rollout, each.</summary>
    public TimeSpan RolloutTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A deploy of <paramref name="targets"/> (none: what changed) in <paramref name="repositoryRoot"/> with resolved <paramref name="settings"/>.</summary>
    public static DeployRequest From(OpenShellSettings settings, string repositoryRoot, IReadOnlyList<string>? targets = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new DeployRequest(repositoryRoot, targets ?? [], PlanSettings.From(settings))
        {
            HelmWait = settings.Deploy.HelmWait,
            SupervisorBuild = ParseSupervisorBuild(settings.Deploy.SupervisorBuild),
            VerifyWithSandbox = settings.DevHost.VerifyWithSandbox,
        };
    }

    private static SupervisorBuild ParseSupervisorBuild(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "dev" => SupervisorBuild.Dev,
        "release" => SupervisorBuild.Release,
        _ => throw new InvalidOperationException($"OPENSHELL_SUPERVISOR_BUILD={value} is not a supervisor build; use 'dev' (quick, the default) or 'release' (NativeAOT, as in the cluster image)."),
    };
}
