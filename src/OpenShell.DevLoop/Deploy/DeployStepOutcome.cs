namespace OpenShell.DevLoop.Deploy;

/// <summary>How a step ended.</summary>
public enum DeployStepOutcome
{
    /// <summary>It ran and succeeded.</summary>
    Succeeded,

    /// <summary>It was not needed (nothing planned, or nothing changed).</summary>
    Skipped,

    /// <summary>It failed.</summary>
    Failed,
}
