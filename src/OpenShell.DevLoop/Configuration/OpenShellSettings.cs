using Microsoft.Extensions.Configuration;
using HealthCheck = OpenShell.DevLoop.Cluster.ClusterHealthCheck;

namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// The settings shared by the AppHost and <c>openshell-dev</c>: section <c>OpenShell</c> of
/// appsettings(.Offline).json, overridden by <c>OpenShell__…</c> environment variables.
/// </summary>
public sealed class OpenShellSettings
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "OpenShell";

    /// <summary>The profile name: <c>Default</c> or <c>Offline</c>.</summary>
    public string Profile { get; set; } = "Default";

    /// <summary>The Docker engine.</summary>
    public EngineSettings Engine { get; set; } = new();

    /// <summary>Images used by every resource.</summary>
    public ImageSettings Images { get; set; } = new();

    /// <summary>The local registry.</summary>
    public RegistrySettings Registry { get; set; } = new();

    /// <summary>The single-container k3s cluster.</summary>
    public ClusterSettings Cluster { get; set; } = new();

    /// <summary>The fast deploy.</summary>
    public DeploySettings Deploy { get; set; } = new();

    /// <summary>Where the GPU runtime bundle comes from.</summary>
    public RuntimeBundleSettings RuntimeBundle { get; set; } = new();

    /// <summary>The dev session: checkout, watching, synthetic bundle.</summary>
    public DevHostSettings DevHost { get; set; } = new();

    /// <summary>Multi-architecture publishing.</summary>
    public PublishSettings Publish { get; set; } = new();

    /// <summary>True when running against the offline stand-in images.</summary>
    public bool IsOffline => string.Equals(Profile, "Offline", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the <c>OpenShell</c> section, keeping defaults for anything not set, then applies the upstream
    /// variables of the process environment (see <see cref="UpstreamVariables"/>); no <c>.env</c>.
    /// </summary>
    public static OpenShellSettings From(IConfiguration configuration) =>
        From(configuration, UpstreamVariables.ProcessEnvironment());

    /// <summary>
    /// Reads the <c>OpenShell</c> section, then applies the upstream variables found in <paramref name="environment"/>
    /// (and in <c>.env</c> of <paramref name="repositoryRoot"/>, when given); see <see cref="SettingsLoader"/>.
    /// </summary>
    public static OpenShellSettings From(IConfiguration configuration, IReadOnlyDictionary<string, string?> environment, string? repositoryRoot = null) =>
        SettingsLoader.Resolve(configuration, repositoryRoot, environment).Settings;

    internal void Validate()
    {
        if (Registry.HostPort is < 1 or > 65535)
        {
            throw new InvalidOperationException(
                $"OpenShell:Registry:HostPort is {Registry.HostPort}; set it to a free TCP port between 1 and 65535.");
        }

        if (Cluster.GatewayPort is < 1 or > 65535)
        {
            throw new InvalidOperationException(
                $"OpenShell:Cluster:GatewayPort is {Cluster.GatewayPort}; set it to a free TCP port between 1 and 65535, or leave it unset to pick one.");
        }

        // Upstream's remote deploy refuses the pair before anything runs.
        if (Cluster.Plaintext && Cluster.DisableGatewayAuth)
        {
            throw new InvalidOperationException(DevLoop.Cluster.GatewaySecurityModes.ChooseOneMode);
        }

        // As upstream's remote deploy, before anything runs: --skip-sync sends no tarball, so it needs the remote one.
        if (RuntimeBundle.SkipSync && string.IsNullOrWhiteSpace(RuntimeBundle.RemoteTarball))
        {
            throw new InvalidOperationException(RuntimeBundleSettings.SkipSyncNeedsRemoteTarball);
        }

        // Both are read only for a tcp:// engine, but a typo is reported wherever it is made.
        try
        {
            DevLoop.Engine.EnginePortPlan.ParseBindAddress(Cluster.RemoteBindAddress);
            if (!string.IsNullOrWhiteSpace(Engine.SshTunnel))
            {
                DevLoop.Engine.EnginePortPlan.ParseTunnel(Engine.SshTunnel);
            }
        }
        catch (DevLoop.Engine.EngineConnectionException e)
        {
            throw new InvalidOperationException($"{e.Message}; {e.Remedy}.", e);
        }

        if (Cluster.GpuMode is not (DevLoop.Cluster.GpuModes.Legacy or DevLoop.Cluster.GpuModes.Cdi))
        {
            throw new InvalidOperationException(
                $"OpenShell:Cluster:GpuMode is '{Cluster.GpuMode}'; set it to '{DevLoop.Cluster.GpuModes.Legacy}' (the engine's NVIDIA runtime) or '{DevLoop.Cluster.GpuModes.Cdi}' (CDI devices).");
        }

        if (Cluster.GatewayNodePort is < 30000 or > 32767)
        {
            throw new InvalidOperationException(
                $"OpenShell:Cluster:GatewayNodePort is {Cluster.GatewayNodePort}; a NodePort must be between 30000 and 32767.");
        }

        if (Cluster.HealthTimeoutSeconds <= HealthCheck.LongestStartSeconds)
        {
            throw new InvalidOperationException(
                $"OpenShell:Cluster:HealthTimeoutSeconds is {Cluster.HealthTimeoutSeconds}; it must exceed the {HealthCheck.LongestStartSeconds} s the node's health check " +
                $"can take to decide ({HealthCheck.StartPeriodSeconds} s start period + {HealthCheck.Retries} x {HealthCheck.IntervalSeconds} s), or a slow first boot is abandoned and wiped on the next run; set it to 360 or more.");
        }

        if (string.IsNullOrWhiteSpace(Cluster.ImageTag) || Cluster.ImageTag.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')))
        {
            throw new InvalidOperationException(
                $"OpenShell:Cluster:ImageTag (IMAGE_TAG) '{Cluster.ImageTag}' is not a valid image tag; use letters, digits, '_', '.' and '-'.");
        }

        if (DevHost.QuietPeriodMs <= 0 || DevHost.MaxWaitMs < DevHost.QuietPeriodMs)
        {
            throw new InvalidOperationException(
                $"OpenShell:DevHost:QuietPeriodMs ({DevHost.QuietPeriodMs}) must be positive and not above MaxWaitMs ({DevHost.MaxWaitMs}).");
        }

        if (DevHost.GatewayHealthProbe is not ("Mtls" or "Kubernetes"))
        {
            throw new InvalidOperationException($"OpenShell:DevHost:GatewayHealthProbe is '{DevHost.GatewayHealthProbe}'; use Mtls or Kubernetes.");
        }

        if (Deploy.SupervisorBuild?.Trim().ToLowerInvariant() is not (null or "" or "dev" or "release"))
        {
            throw new InvalidOperationException(
                $"OPENSHELL_SUPERVISOR_BUILD={Deploy.SupervisorBuild} is not a supervisor build; use 'dev' (quick, the default) or 'release' (NativeAOT, as in the cluster image).");
        }

        foreach (var (key, value) in new[] { ("Registry", Images.Registry), ("K3s", Images.K3s), ("ClusterBase", Images.ClusterBase), ("RuntimeDeps", Images.RuntimeDeps) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException($"OpenShell:Images:{key} is empty; set it to an image reference such as name:tag.");
            }
        }
    }
}
