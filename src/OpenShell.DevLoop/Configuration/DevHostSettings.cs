namespace OpenShell.DevLoop.Configuration;

/// <summary>The dev session itself (section <c>OpenShell:DevHost</c>): which checkout, watching, the synthetic bundle.</summary>
public sealed class DevHostSettings
{
    /// <summary>The checkout to build and watch; the front end's default (the AppHost's parent folder, the CLI's git tree) when empty.</summary>
    public string? RepositoryRoot { get; set; }

    /// <summary>When no runtime bundle is configured, pack a synthetic one (work that needs no GPU; the Offline profile).</summary>
    public bool SyntheticRuntimeBundle { get; set; }

    /// <summary>Watch the tree and deploy changes; false leaves deploys to the commands.</summary>
    public bool WatchEnabled { get; set; } = true;

    /// <summary>Quiet period before a deploy, in milliseconds (<see cref="Watching.DeployLoopOptions.DefaultQuietPeriod"/>).</summary>
    public int QuietPeriodMs { get; set; } = 200;

    /// <summary>Longest wait for a quiet period, in milliseconds.</summary>
    public int MaxWaitMs { get; set; } = 5000;

    /// <summary>
    /// How the gateway's health is checked: <c>Mtls</c> calls it with the client certificate; <c>Kubernetes</c> checks its
    /// StatefulSet (the offline cluster runs no pods).
    /// </summary>
    public string GatewayHealthProbe { get; set; } = "Mtls";

    /// <summary>
    /// After a supervisor deploy, start a throwaway sandbox and wait for it to register with the new binary before the
    /// deploy counts as done. Needs a cluster whose pods really run (real k3s, or the simulator's kubelet); on in the Offline profile, whose
    /// kubelet runs them, off elsewhere.
    /// </summary>
    public bool VerifyWithSandbox { get; set; }
}
