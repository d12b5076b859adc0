using System.CommandLine;
using Microsoft.Extensions.Configuration;
using OpenShell.DevLoop.Cli.Commands;
using OpenShell.DevLoop.Cli.Telemetry;
using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Cli;

/// <summary>The <c>openshell-dev</c> command tree. Each concern adds its commands from its own file.</summary>
internal static class CliApp
{
    /// <summary>Options every command accepts.</summary>
    internal static readonly Option<bool> OfflineOption = CliOptions.Offline;

    public static RootCommand Build(TextWriter stdout, TextWriter stderr, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var root = new RootCommand("openshell-dev: OpenShell's inner dev loop (plan, build and deploy only what changed).");
        root.Options.Add(OfflineOption);
        root.Subcommands.Add(ConfigCommand.Create(stdout, stderr));
        root.Subcommands.Add(BundleCommand.Create(stdout, stderr, environment));
        PlanningCommands.Register(root, stdout, stderr, new DockerClusterContainerLocator());
        root.Subcommands.Add(ClusterCommand.Create(stdout, stderr, environment));
        root.Subcommands.Add(DeployCommand.Create(stdout, stderr));
        root.Subcommands.Add(HistoryCommand.Create(stdout, stderr));
        root.Subcommands.Add(SandboxCommand.Create(stdout, stderr));
        root.Subcommands.Add(PublishCommand.Create(stdout, stderr, environment));
        return root;
    }

    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors and progress go.</param>
    /// <param name="environment">Reads OpenShell's build variables (bundle, platform, verify-only); the process environment when null.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?>? environment = null)
    {
        using var telemetry = CliTelemetry.Start(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        var root = Build(stdout, stderr, environment);
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await parse.InvokeAsync(config).ConfigureAwait(false);
    }
}
