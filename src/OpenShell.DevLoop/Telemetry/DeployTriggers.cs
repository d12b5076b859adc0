using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Telemetry;

/// <summary>What started a deploy, as recorded on its trace and in the deploy history.</summary>
public static class DeployTriggers
{
    /// <summary><c>openshell-dev deploy</c>.</summary>
    public const string Cli = "cli";

    /// <summary>A command on the dashboard (or its start-up deploy).</summary>
    public const string Command = "command";

    /// <summary>The watcher saw files change.</summary>
    public const string FileChange = "file-change";

    /// <summary>The watcher saw a git operation (checkout, rebase, pull) finish.</summary>
    public const string GitOperation = "git-operation";

    /// <summary>The watcher lost events and rescanned.</summary>
    public const string Rescan = "rescan";

    /// <summary>The trigger of a deploy the watcher started for <paramref name="kind"/>.</summary>
    internal static string Of(DeployTriggerKind kind) => kind switch
    {
        DeployTriggerKind.Changes => FileChange,
        DeployTriggerKind.GitOperation => GitOperation,
        DeployTriggerKind.Rescan => Rescan,
        _ => Command,
    };
}
