using System.Collections.Immutable;

namespace OpenShell.AppHost.DevLoop;

/// <summary>
/// The words the dev loop shows on the dashboard: state texts and property keys, shared by the projection, the commands
/// and the tests. Only <see cref="States.Running"/> makes a resource ready for what waits for it.
/// </summary>
internal static class DashboardVocabulary
{
    /// <summary>State texts.</summary>
    public static class States
    {
        public const string Running = "Running";
        public const string Verifying = "Verifying";
        public const string Starting = "Starting";
        public const string Bootstrapping = "Bootstrapping";
        public const string Recreating = "Recreating";
        public const string Building = "Building";
        public const string Pushing = "Pushing";
        public const string RollingOut = "Rolling out";
        public const string Copying = "Copying";
        public const string Upgrading = "Upgrading";
        public const string Failed = "Failed";
        public const string Disabled = "Disabled";
        public const string Planning = "Planning";
        public const string Watching = "Watching";
        public const string ChangesPending = "Changes pending";
        public const string WaitingForGit = "Waiting for git";
        public const string Deploying = "Deploying";
        public const string UpToDate = "Up to date";
        public const string Paused = "Paused";
        public const string WaitingForCluster = "Waiting for the cluster";
        public const string WaitingForBundle = "Waiting for the runtime bundle";
        public const string EngineUnreachable = "Engine unreachable";
    }

    /// <summary>Property keys.</summary>
    public static class Properties
    {
        public const string BundleName = "bundle.name";
        public const string BundleVersion = "bundle.version";
        public const string BundleArchitecture = "bundle.architecture";
        public const string BundleFiles = "bundle.files";
        public const string BundleBytes = "bundle.bytes";
        public const string BundleSha256 = "bundle.sha256";
        public const string BundleSource = "bundle.source";
        public const string BundleVerification = "bundle.verification";
        public const string ClusterContainer = "cluster.container";
        public const string ClusterImage = "cluster.image";
        public const string ClusterContainerId = "cluster.containerId";
        public const string ClusterDecision = "cluster.decision";
        public const string ClusterApiPort = "cluster.apiPort";
        public const string ClusterGatewayPort = "cluster.gatewayPort";
        public const string ClusterKubeconfig = "cluster.kubeconfig";
        public const string ClusterSecurity = "cluster.security";
        public const string ClusterError = "cluster.error";
        public const string EngineAddress = "engine.address";
        public const string EnginePlatform = "engine.platform";
        public const string EngineVersion = "engine.version";
        public const string EngineForwards = "engine.forwards";
        public const string EngineState = "engine.state";
        public const string WaitingFor = "waitingFor";
        public const string Fingerprint = "deploy.fingerprint";
        public const string LastDeployed = "deploy.lastDeployed";
        public const string Duration = "deploy.duration";
        public const string DeployError = "deploy.error";
        public const string ComponentKind = "component.kind";
        public const string ImageRepository = "image.repository";
        public const string ImageChart = "image.chart";
        public const string ImageValuesKey = "image.valuesKey";
        public const string ImageWorkload = "image.workload";
        public const string Image = "image.pinned";
        public const string BinaryPath = "binary.nodePath";
        public const string BinarySha256 = "binary.sha256";
        public const string BinaryVersion = "binary.version";
        public const string ChartPath = "helm.path";
        public const string ChartRelease = "helm.release";
        public const string ChartChecksum = "helm.chartChecksum";
        public const string ChartChanged = "helm.helmChartChanged";
        public const string WatcherLastPlan = "watcher.lastPlan";
        public const string WatcherLastTriggers = "watcher.lastTriggers";
        public const string WatcherLastSteps = "watcher.lastSteps";
        public const string WatcherLastDeploy = "watcher.lastDeploy";
        public const string WatcherTrigger = "watcher.trigger";
        public const string WatcherChangedPaths = "watcher.changedPaths";
        public const string WatcherReason = "watcher.reason";
        public const string WatcherQueue = "watcher.queue";
        public const string WatcherHealth = "watcher.health";
        public const string WatcherError = "watcher.error";
    }

    /// <summary>The style of a state text.</summary>
    public static string StyleOf(string state) => state switch
    {
        States.Running or States.Watching or States.UpToDate => KnownResourceStateStyles.Success,
        States.Failed or States.EngineUnreachable => KnownResourceStateStyles.Error,
        States.Paused => KnownResourceStateStyles.Warn,
        _ => KnownResourceStateStyles.Info,
    };

    /// <summary>Replaces properties by name, keeping the others.</summary>
    public static ImmutableArray<ResourcePropertySnapshot> Merge(ImmutableArray<ResourcePropertySnapshot> current, IEnumerable<ResourcePropertySnapshot> updates)
    {
        var result = current;
        foreach (var update in updates)
        {
            var existing = result.FirstOrDefault(p => p.Name == update.Name);
            result = existing is null ? result.Add(update) : result.Replace(existing, update);
        }

        return result;
    }
}
