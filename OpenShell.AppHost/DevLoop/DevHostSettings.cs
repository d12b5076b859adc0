using Microsoft.Extensions.Configuration;

namespace OpenShell.AppHost.DevLoop;

/// <summary>Settings only the AppHost uses (section <c>OpenShell:DevHost</c>).</summary>
internal sealed class DevHostSettings
{
    /// <summary>The checkout to build and watch; the AppHost's parent folder when empty.</summary>
    public string? RepositoryRoot { get; set; }

    /// <summary>The runtime bundle tarball; empty resolves <c>OPENSHELL_RUNTIME_BUNDLE_TARBALL[_ARCH]</c> or the URL variables.</summary>
    public string? RuntimeBundleTarball { get; set; }

    /// <summary>When no bundle is configured, pack a synthetic one (the Offline profile).</summary>
    public bool SyntheticRuntimeBundle { get; set; }

    /// <summary>Watch the tree and deploy changes; false leaves deploys to the commands.</summary>
    public bool WatchEnabled { get; set; } = true;

    /// <summary>Quiet period before a deploy, in milliseconds.</summary>
    public int QuietPeriodMs { get; set; } = 500;

    /// <summary>Longest wait for a quiet period, in milliseconds.</summary>
    public int MaxWaitMs { get; set; } = 5000;

    /// <summary>
    /// How the gateway's health is checked: <c>Mtls</c> calls it with the client certificate; <c>Kubernetes</c> checks its
    /// StatefulSet (the offline cluster runs no pods).
    /// </summary>
    public string GatewayHealthProbe { get; set; } = "Mtls";

    public static DevHostSettings From(IConfiguration configuration, string appHostDirectory)
    {
        var settings = new DevHostSettings();
        configuration.GetSection("OpenShell:DevHost").Bind(settings);
        settings.RepositoryRoot = string.IsNullOrWhiteSpace(settings.RepositoryRoot)
            ? Path.GetFullPath(Path.Combine(appHostDirectory, ".."))
            : Path.GetFullPath(settings.RepositoryRoot);
        if (settings.QuietPeriodMs <= 0 || settings.MaxWaitMs < settings.QuietPeriodMs)
        {
            throw new InvalidOperationException(
                $"OpenShell:DevHost:QuietPeriodMs ({settings.QuietPeriodMs}) must be positive and not above MaxWaitMs ({settings.MaxWaitMs}).");
        }

        if (settings.GatewayHealthProbe is not ("Mtls" or "Kubernetes"))
        {
            throw new InvalidOperationException(
                $"OpenShell:DevHost:GatewayHealthProbe is '{settings.GatewayHealthProbe}'; use Mtls or Kubernetes.");
        }

        return settings;
    }
}
