namespace OpenShell.DevLoop.Configuration;

/// <summary>The fast deploy (section <c>OpenShell:Deploy</c>), fed by upstream's <c>DEPLOY_FAST_*</c> variables.</summary>
public sealed class DeploySettings
{
    /// <summary>The state file, relative to the repository root or absolute (<c>DEPLOY_FAST_STATE_FILE</c>); empty is the default.</summary>
    public string? StateFile { get; set; }

    /// <summary>Rebuild everything (<c>DEPLOY_FAST_MODE=full</c>).</summary>
    public bool FullMode { get; set; }

    /// <summary>Always upgrade the Helm release (<c>FORCE_HELM_UPGRADE=1</c>).</summary>
    public bool ForceHelmUpgrade { get; set; }

    /// <summary>Wait for k3s's helm job even when the gateway did not change (<c>DEPLOY_FAST_HELM_WAIT=1</c>).</summary>
    public bool HelmWait { get; set; }

    /// <summary>How the supervisor is built for the swap: <c>dev</c> (default) or <c>release</c> (<c>OPENSHELL_SUPERVISOR_BUILD</c>).</summary>
    public string? SupervisorBuild { get; set; }
}
