using System.CommandLine;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>Registers the change-detection commands: <c>plan</c> and <c>fingerprint</c>.</summary>
internal static class PlanningCommands
{
    public static void Register(RootCommand root, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(PlanCommand.Create(stdout, stderr));
        root.Subcommands.Add(FingerprintCommand.Create(stdout, stderr));
    }
}
