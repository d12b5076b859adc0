namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Named points of a deploy where a fault-injection test stops the process (kills it, cuts the engine) to prove that the
/// next deploy converges. An internal test seam: nothing in the product sets <see cref="Reached"/>, so each point is one
/// null check; only test support (the fault suite's child process) sets it.
/// </summary>
internal static class DeployFaultPoints
{
    /// <summary>The new build (binary or tree) is not on the node: its copy through the engine's archive API is about to start.</summary>
    public const string SupervisorCopy = "supervisor-copy";

    /// <summary>The new binary is on the node under its temporary name; the link still names the old one.</summary>
    public const string SupervisorSwap = "supervisor-swap";

    /// <summary>The new state file is written and flushed under its temporary name, not yet renamed over the old one.</summary>
    public const string StateWrite = "state-write";

    /// <summary>
    /// The app is published: the image build is about to start (the engine's build of the context, or the assembly of the
    /// app layer on the base the registry holds).
    /// </summary>
    public const string ImageBuild = "image-build";

    /// <summary>The image is built and the registry does not hold its content: the push is about to start.</summary>
    public const string ImagePush = "image-push";

    /// <summary>The HelmChart was read and the patch is ready, not yet sent.</summary>
    public const string ChartUpdate = "chart-update";

    /// <summary>Called at each point with its name; null (the product) does nothing.</summary>
    public static Func<string, CancellationToken, Task>? Reached { get; set; }

    /// <summary>Runs the hook for <paramref name="point"/>, when one is set.</summary>
    public static Task ReachAsync(string point, CancellationToken ct) => Reached is { } hook ? hook(point, ct) : Task.CompletedTask;
}
