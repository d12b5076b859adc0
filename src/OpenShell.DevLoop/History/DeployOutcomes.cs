namespace OpenShell.DevLoop.History;

/// <summary>How a deploy or a step ended, as written in the history and on the <c>openshell.deploy.outcome</c> attribute.</summary>
public static class DeployOutcomes
{
    /// <summary>It ran and succeeded.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>It failed.</summary>
    public const string Failed = "failed";

    /// <summary>It was not needed.</summary>
    public const string Skipped = "skipped";

    /// <summary>It was stopped before it ended (the host shut down, Ctrl+C).</summary>
    public const string Cancelled = "cancelled";
}
