using System.CommandLine;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>What <c>plan</c> and <c>fingerprint</c> share: the repository option and planning with error handling.</summary>
internal static class PlanningInvocation
{
    /// <summary>Exit code for a bad target word (upstream scripts test for it).</summary>
    public const int InvalidTargetExitCode = 2;

    /// <summary>Creates the <c>--repo</c> option (default: the current folder).</summary>
    public static Option<string> CreateRepositoryOption() => new("--repo", "-C")
    {
        Description = "A folder inside the OpenShell working tree (default: the current folder).",
        DefaultValueFactory = _ => Environment.CurrentDirectory,
    };

    /// <summary>Plans, printing warnings to stderr; returns the plan, or null with the exit code to return.</summary>
    public static async Task<(DeployPlan? Plan, int ExitCode)> PlanAsync(
        Func<PlanSettings, PlanRequest> request, string folder, bool offline, IClusterContainerLocator locator, TextWriter stderr, CancellationToken ct)
    {
        var planner = new DeployPlanner(locator);
        try
        {
            var settings = PlanSettings.From(CliSettings.Load(offline, CliSettings.FindRepository(folder)));
            var plan = await planner.PlanAsync(request(settings), ct).ConfigureAwait(false);
            foreach (var note in plan.Notes.Where(n => n.StartsWith("warning: ", StringComparison.Ordinal)))
            {
                await stderr.WriteLineAsync(note).ConfigureAwait(false);
            }

            return (plan, 0);
        }
        catch (InvalidTargetException ex)
        {
            await stderr.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return (null, InvalidTargetExitCode);
        }
        catch (Exception ex) when (ex is ComponentCatalogException or GitException or ArgumentException or InvalidOperationException)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return (null, 1);
        }
    }
}
