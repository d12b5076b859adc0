using System.CommandLine;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>
/// <c>openshell-dev deploy [gateway|supervisor|chart|all…] [--offline]</c>, the counterpart of <c>mise run cluster</c>: no healthy
/// cluster → bootstrap it; then the fast deploy of what changed (or of the named targets), printing upstream's lines.
/// </summary>
internal static class DeployCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) => Create(stdout, stderr, DeployCommandHooks.Default);

    internal static Command Create(TextWriter stdout, TextWriter stderr, DeployCommandHooks hooks)
    {
        var targets = new Argument<string[]>("targets")
        {
            Description = "Components to deploy regardless of changes: gateway, supervisor (sandbox), chart (helm), all. None = deploy what changed.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var repository = PlanningInvocation.CreateRepositoryOption();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print build, push and rollout progress." };
        var command = new Command("deploy", "Bootstrap the cluster when it is missing or unhealthy, else build and deploy only what changed (gateway by digest, supervisor swapped atomically, chart).");
        command.Arguments.Add(targets);
        command.Options.Add(repository);
        command.Options.Add(verbose);
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(repository)!, parse.GetValue(targets) ?? [], parse.GetValue(CliApp.OfflineOption), parse.GetValue(verbose), stdout, stderr, hooks, ct));
        return command;
    }

    private static async Task<int> RunAsync(
        string folder, string[] targets, bool offline, bool verbose, TextWriter stdout, TextWriter stderr, DeployCommandHooks hooks, CancellationToken ct)
    {
        try
        {
            var settings = hooks.LoadSettings(offline);
            var root = GitRepository.Discover(folder).Root;
            var request = DeployRequest.FromEnvironment(root, targets, hooks.GetVariable);
            request = request with { PlanSettings = request.PlanSettings with { ClusterName = settings.Cluster.Name ?? request.PlanSettings.ClusterName } };
            var clusterName = ClusterName.Resolve(request.PlanSettings.ClusterName, root);
            var logger = new WriterLogger(stdout, verbose ? LogLevel.Debug : LogLevel.None);
            using var docker = DockerEngine.CreateClient();

            var lifecycle = new ClusterLifecycle(docker, settings, new ClusterPaths(root, clusterName), new WriterLogger(stdout));
            var decision = await lifecycle.DecideAsync(ct).ConfigureAwait(false);
            if (decision.Action != BootstrapAction.Reuse)
            {
                await stdout.WriteLineAsync($"Bootstrapping cluster {clusterName}: {decision.Reason}.").ConfigureAwait(false);
                await lifecycle.UpAsync(
                    buildCt => ClusterImageBuild.RunAsync(docker, ClusterImageBuildRequest.From(settings, root), logger, buildCt),
                    request.PlanSettings.StateFile, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"Cluster {clusterName} is up; deploying the working tree.").ConfigureAwait(false);
            }

            var deployer = new FastDeployer(docker, settings, logger);
            var printer = new Progress(stdout, verbose);
            await deployer.DeployAsync(request, printer, ct).ConfigureAwait(false);
            return 0;
        }
        catch (InvalidTargetException ex)
        {
            await stderr.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return PlanningInvocation.InvalidTargetExitCode;
        }
        catch (DeployException ex)
        {
            await stderr.WriteLineAsync($"error: {DeployStepLabels.Of(ex.Step)} failed: {ex.Message}").ConfigureAwait(false);
            await stderr.WriteLineAsync("The deploy state was not updated for the failed step; fix the cause and run 'openshell-dev deploy' again.").ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ClusterImageBuildException or RuntimeBundleException or ComponentCatalogException
            or GitException or DockerApiException or HttpRequestException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            if (ex is DockerApiException or HttpRequestException)
            {
                await stderr.WriteLineAsync($"Check that the Docker engine at {DockerEngine.Endpoint} is running and reachable.").ConfigureAwait(false);
            }

            return 1;
        }
    }

    /// <summary>Prints upstream's lines (and, verbose, progress) as the deploy reports them; synchronously, so lines keep their order.</summary>
    private sealed class Progress(TextWriter stdout, bool verbose) : IProgress<DeployEvent>
    {
        public void Report(DeployEvent value)
        {
            if (value.Kind == DeployEventKind.Line || (verbose && value.Kind == DeployEventKind.Progress))
            {
                lock (stdout)
                {
                    stdout.WriteLine(value.Message);
                }
            }
        }
    }
}
