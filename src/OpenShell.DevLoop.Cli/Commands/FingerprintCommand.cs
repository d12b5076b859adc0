using System.CommandLine;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>openshell-dev fingerprint</c>: the current fingerprints in the state file's format, to debug a surprising plan.</summary>
internal static class FingerprintCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IClusterContainerLocator locator)
    {
        var repository = PlanningInvocation.CreateRepositoryOption();
        var command = new Command("fingerprint", "Print the current component fingerprints in the deploy state file's format (key=value).");
        command.Options.Add(repository);
        command.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(repository)!;
            var (plan, exitCode) = await PlanningInvocation.PlanAsync(
                settings => PlanRequest.Automatic(folder, settings), folder, parse.GetValue(CliOptions.Offline), locator, stderr, ct).ConfigureAwait(false);
            if (plan is null)
            {
                return exitCode;
            }

            await stdout.WriteAsync(DeployStateStore.Format(plan.ToState(), plan.StateKeyOrder)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
