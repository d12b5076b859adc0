using System.CommandLine;
using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>Registers the change-detection commands: <c>plan</c> and <c>fingerprint</c>.</summary>
internal static class PlanningCommands
{
    /// <param name="root">Where the commands go.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where warnings and errors go.</param>
    /// <param name="locator">Asks the engine for the cluster container (a recreated one rebuilds the gateway and the chart).</param>
    public static void Register(RootCommand root, TextWriter stdout, TextWriter stderr, IClusterContainerLocator locator)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(PlanCommand.Create(stdout, stderr, locator));
        root.Subcommands.Add(FingerprintCommand.Create(stdout, stderr, locator));
    }
}
