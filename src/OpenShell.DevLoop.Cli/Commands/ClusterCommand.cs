using System.CommandLine;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>openshell-dev cluster</c>: build the cluster image, bring the node up or down, report its state.</summary>
internal static partial class ClusterCommand
{
    private static readonly Option<string?> s_repoOption = new("--repo")
    {
        Description = "The repository root (default: the git working tree around the current folder).",
        Recursive = true,
    };

    public static Command Create(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var command = new Command("cluster", "The single-container k3s cluster: build its base and image, bootstrap or reuse it, remove it, report its state or its container spec.");
        command.Options.Add(s_repoOption);
        command.Subcommands.Add(CreateBuildBase(stdout, stderr));
        command.Subcommands.Add(CreateBuildImage(stdout, stderr, environment));
        command.Subcommands.Add(CreateUp(stdout, stderr));
        command.Subcommands.Add(CreateDown(stdout, stderr));
        command.Subcommands.Add(CreateStatus(stdout, stderr));
        command.Subcommands.Add(CreateKubeconfig(stdout, stderr));
        command.Subcommands.Add(CreateSpec(stdout, stderr));
        return command;
    }

    /// <summary>The resolved settings, repository and cluster name every subcommand works with.</summary>
    private sealed record Context(OpenShellSettings Settings, string RepositoryRoot, ClusterPaths Paths);

    private static Context Resolve(ParseResult parse, IReadOnlyDictionary<string, string?>? switches = null)
    {
        var root = parse.GetValue(s_repoOption) is { Length: > 0 } repo
            ? Path.GetFullPath(repo)
            : GitRepository.Discover(Environment.CurrentDirectory).Root;
        var settings = CliSettings.Load(parse.GetValue(CliApp.OfflineOption), root, switches);
        var name = ClusterName.Resolve(settings.Cluster.Name, root);
        return new Context(settings, root, new ClusterPaths(root, name));
    }

    /// <summary>Runs a subcommand: known failures become their message on stderr and exit code 1 (<see cref="CliErrors.RunAsync"/>).</summary>
    private static Task<int> RunAsync(TextWriter stderr, Func<Task<int>> action) => CliErrors.RunAsync(stderr, action);

    private static ClusterImageBuildRequest BuildRequest(Context context, string? architecture, string? bundle, Func<string, string?>? environment = null) =>
        ClusterImageBuildRequest.From(context.Settings, context.RepositoryRoot) with
        {
            Architecture = architecture,
            Platform = environment?.Invoke(UpstreamVariables.DockerPlatform),
            BundleTarball = bundle,
            BundleVariables = name => context.Settings.RuntimeBundle.Variable(name) ?? environment?.Invoke(name),
        };
}
