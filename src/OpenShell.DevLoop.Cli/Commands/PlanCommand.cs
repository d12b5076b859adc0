using System.CommandLine;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>openshell-dev plan [targets…] [--explain] [--json]</c>: what a deploy would rebuild, and why. Changes nothing.</summary>
internal static class PlanCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IClusterContainerLocator locator)
    {
        var targets = new Argument<string[]>("targets")
        {
            Description = "Components to rebuild regardless of changes: gateway, supervisor (sandbox), chart (helm), all. None = detect changes.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var explain = new Option<bool>("--explain") { Description = "Also say why: changed paths, the glob that matched each, and other reasons." };
        var json = new Option<bool>("--json") { Description = "Print the plan and its reasons as JSON." };
        var repository = PlanningInvocation.CreateRepositoryOption();

        var command = new Command("plan", "Print which components a deploy would rebuild (the fast-deploy plan). Changes nothing.");
        command.Arguments.Add(targets);
        command.Options.Add(explain);
        command.Options.Add(json);
        command.Options.Add(repository);
        command.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(repository)!;
            var (plan, exitCode) = await PlanningInvocation.PlanAsync(
                settings => new PlanRequest(folder, parse.GetValue(targets) ?? [], settings), folder, parse.GetValue(CliOptions.Offline), locator, stderr, ct).ConfigureAwait(false);
            if (plan is null)
            {
                return exitCode;
            }

            await stdout.WriteAsync(parse.GetValue(json) ? DeployPlanJson.Render(plan) : DeployPlanText.Render(plan, parse.GetValue(explain))).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
