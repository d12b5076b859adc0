using System.CommandLine;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.Session;
using OpenShell.DevLoop.Telemetry;

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
        var remote = RemoteOption.Create();
        var command = new Command("deploy", "Bootstrap the cluster when it is missing or unhealthy, else build and deploy only what changed (gateway by digest, supervisor swapped atomically, chart).");
        command.Arguments.Add(targets);
        command.Options.Add(repository);
        command.Options.Add(verbose);
        command.Options.Add(remote);
        var bundle = RuntimeBundleOptions.AddTo(command);
        var cluster = ClusterSwitches.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(repository)!, parse.GetValue(targets) ?? [], parse.GetValue(CliApp.OfflineOption), parse.GetValue(verbose), cluster.RecreateRequested(parse),
            () => SwitchOverrides.Merge(RemoteOption.Overrides(parse.GetValue(remote)), bundle.Overrides(parse), cluster.Overrides(parse)), stdout, stderr, hooks, ct));
        return command;
    }

    private static async Task<int> RunAsync(
        string folder, string[] targets, bool offline, bool verbose, bool recreate, Func<IReadOnlyDictionary<string, string?>> switches, TextWriter stdout, TextWriter stderr,
        DeployCommandHooks hooks, CancellationToken ct)
    {
        try
        {
            var root = GitRepository.Discover(folder).Root;
            var settings = hooks.LoadSettings(offline, root, switches());
            var logger = new WriterLogger(stdout, verbose ? LogLevel.Debug : LogLevel.None);
            var clusterLogger = new WriterLogger(stdout);
            using var docker = DockerEngine.CreateClient(settings.Engine);
            using var ports = DockerEngine.Ports(settings);
            await using var session = new DevSession(settings, DevSessionServices.ForDocker(docker, settings, logger, new ImagePullPrinter(stderr), ports),
                scope => scope == DevSession.ClusterScope ? clusterLogger : logger);

            var decision = recreate
                ? new BootstrapDecision(BootstrapAction.Recreate, "--recreate destroys it and creates it again")
                : await session.DecideAsync(ct).ConfigureAwait(false);
            if (decision.Action is not BootstrapAction.Reuse and not BootstrapAction.Start)
            {
                await stdout.WriteLineAsync($"Bootstrapping cluster {session.Paths.ClusterName}: {decision.Reason}.").ConfigureAwait(false);
            }

            var up = await session.UpAsync(recreate, null, ct).ConfigureAwait(false);
            if (decision.Action == BootstrapAction.Start)
            {
                // One line either way: started with its volume, or (exited again) bootstrapped afresh.
                await stdout.WriteLineAsync(up.Decision.Action == BootstrapAction.Start
                    ? $"cluster node {ClusterName.ContainerName(session.Paths.ClusterName)} was stopped (exit {decision.ExitCode ?? 0}); started it again"
                    : $"Bootstrapping cluster {session.Paths.ClusterName}: {up.Decision.Reason}.").ConfigureAwait(false);
            }

            if (up.Security.IsInsecure())
            {
                await stdout.WriteLineAsync(up.Security.InsecureLine(up.GatewayHostPort)).ConfigureAwait(false);
            }

            if (up.Decision.Action is BootstrapAction.Create or BootstrapAction.Recreate)
            {
                await stdout.WriteLineAsync($"Cluster {session.Paths.ClusterName} is up; deploying the working tree.").ConfigureAwait(false);
            }

            await session.DeployAsync(targets, new Progress(stdout, verbose), ct, DeployTriggers.Cli).ConfigureAwait(false);
            return 0;
        }
        catch (InvalidTargetException ex)
        {
            await stderr.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return PlanningInvocation.InvalidTargetExitCode;
        }
        catch (DevLoopException ex)
        {
            return await CliErrors.PrintAsync(stderr, ex).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // Settings or switches that cannot be used.
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
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
