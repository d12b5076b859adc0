namespace OpenShell.DevLoop.Deploy;

/// <summary>What a <see cref="DeployEvent"/> reports.</summary>
public enum DeployEventKind
{
    /// <summary>A step began.</summary>
    Started,

    /// <summary>Progress inside a step (build output, push progress, rollout status); for logs and dashboards.</summary>
    Progress,

    /// <summary>One of upstream's console lines (the plan block, <c>Deploy complete!</c>, timings…): printed verbatim by the CLI.</summary>
    Line,

    /// <summary>A step finished successfully; <see cref="DeployEvent.Elapsed"/> holds its duration.</summary>
    Succeeded,

    /// <summary>A step was not needed.</summary>
    Skipped,

    /// <summary>A step failed; the message holds the cause and the fix.</summary>
    Failed,
}
