using System.CommandLine;
using System.Globalization;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>openshell-dev sandbox</c>: create, list, read and remove sandboxes through the local gateway (mutual TLS).</summary>
internal static class SandboxCommand
{
    private static readonly Option<string?> s_repoOption = new("--repo")
    {
        Description = "The repository root (default: the git working tree around the current folder).",
        Recursive = true,
    };

    private static readonly Option<int> s_timeoutOption = new("--timeout")
    {
        Description = "Seconds to wait for the supervisor to register.",
        DefaultValueFactory = _ => 120,
    };

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("sandbox", "Sandboxes on the local gateway: create one and wait for its supervisor, list, read logs, restart, delete.");
        command.Options.Add(s_repoOption);
        command.Subcommands.Add(CreateCreate(stdout, stderr));
        command.Subcommands.Add(CreateList(stdout, stderr));
        command.Subcommands.Add(CreateLogs(stdout, stderr));
        command.Subcommands.Add(CreateRestart(stdout, stderr));
        command.Subcommands.Add(CreateDelete(stdout, stderr));
        return command;
    }

    private static Command CreateCreate(TextWriter stdout, TextWriter stderr)
    {
        var from = new Option<string?>("--from") { Description = "A community sandbox name (base) or an image reference; default: the gateway's default image." };
        var name = new Option<string?>("--name") { Description = "The sandbox's name (lowercase letters, digits, '-'); default: a generated one." };
        var workload = new Argument<string[]>("command") { Description = "The workload, after '--' (default: stay idle until deleted).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("create", "Create a sandbox and wait until its supervisor registers; prints its phase and the supervisor's sha256.");
        command.Options.Add(from);
        command.Options.Add(name);
        command.Options.Add(s_timeoutOption);
        command.Arguments.Add(workload);
        command.SetAction((parse, ct) => RunAsync(parse, stderr, async client =>
        {
            var request = new SandboxCreateRequest(parse.GetValue(name), parse.GetValue(from), parse.GetValue(workload) ?? [])
            {
                Timeout = TimeSpan.FromSeconds(parse.GetValue(s_timeoutOption)),
            };
            var ready = await client.CreateAndWaitAsync(request, new PhasePrinter(stderr), ct).ConfigureAwait(false);
            await PrintReadyAsync(stdout, ready).ConfigureAwait(false);
            return ready.Sandbox.Phase == SandboxPhase.Failed ? 1 : 0;
        }));
        return command;
    }

    private static Command CreateList(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("list", "List the sandboxes: name, phase, supervisor and image.");
        command.SetAction((parse, ct) => RunAsync(parse, stderr, async client =>
        {
            var sandboxes = await client.ListAsync(ct).ConfigureAwait(false);
            if (sandboxes.Count == 0)
            {
                await stdout.WriteLineAsync("no sandboxes").ConfigureAwait(false);
                return 0;
            }

            var width = Math.Max(4, sandboxes.Max(s => s.Name.Length));
            await stdout.WriteLineAsync($"{"NAME".PadRight(width)}  {"PHASE",-9}  {"SUPERVISOR",-12}  IMAGE").ConfigureAwait(false);
            foreach (var sandbox in sandboxes)
            {
                var supervisor = sandbox.Supervisor is { } s ? s.BinarySha256[..12] : "-";
                await stdout.WriteLineAsync($"{sandbox.Name.PadRight(width)}  {SandboxDiagnosis.PhaseName(sandbox.Phase),-9}  {supervisor,-12}  {sandbox.Image}").ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static Command CreateLogs(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string>("name") { Description = "The sandbox." };
        var tail = new Option<int>("--tail") { Description = "Only the last lines (default: all)." };
        var command = new Command("logs", "Print a sandbox's output: the supervisor's lines and the workload's.");
        command.Arguments.Add(name);
        command.Options.Add(tail);
        command.SetAction((parse, ct) => RunAsync(parse, stderr, async client =>
        {
            var text = await client.GetLogsAsync(parse.GetValue(name)!, parse.GetValue(tail), ct).ConfigureAwait(false);
            await stdout.WriteAsync(text).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command CreateRestart(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string>("name") { Description = "The sandbox." };
        var command = new Command("restart", "Recreate a sandbox's pod (same image and command, the node's current supervisor) and wait until it registers.");
        command.Arguments.Add(name);
        command.Options.Add(s_timeoutOption);
        command.SetAction((parse, ct) => RunAsync(parse, stderr, async client =>
        {
            var sandbox = parse.GetValue(name)!;
            await client.RestartAsync(sandbox, ct).ConfigureAwait(false);
            var ready = await client.WaitUntilRegisteredAsync(sandbox, TimeSpan.FromSeconds(parse.GetValue(s_timeoutOption)), new PhasePrinter(stderr), ct).ConfigureAwait(false);
            await PrintReadyAsync(stdout, ready).ConfigureAwait(false);
            return ready.Sandbox.Phase == SandboxPhase.Failed ? 1 : 0;
        }));
        return command;
    }

    private static Command CreateDelete(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string>("name") { Description = "The sandbox." };
        var command = new Command("delete", "Delete a sandbox (its pod).");
        command.Arguments.Add(name);
        command.SetAction((parse, ct) => RunAsync(parse, stderr, async client =>
        {
            await client.DeleteAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"deleted {parse.GetValue(name)}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static async Task PrintReadyAsync(TextWriter stdout, SandboxReady ready)
    {
        var sandbox = ready.Sandbox;
        await stdout.WriteLineAsync($"sandbox {sandbox.Name}: {SandboxDiagnosis.PhaseName(sandbox.Phase)}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"image: {sandbox.Image}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"supervisor: {ready.SupervisorVersion}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"supervisor sha256: {ready.SupervisorSha256}").ConfigureAwait(false);
        if (sandbox.HasExitCode)
        {
            await stdout.WriteLineAsync($"exit code: {sandbox.ExitCode.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
        }

        await stdout.WriteLineAsync($"registered after: {ready.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s").ConfigureAwait(false);
    }

    /// <summary>Resolves the gateway of this checkout's cluster and runs <paramref name="action"/> against it; failures are one message and exit code 1.</summary>
    private static async Task<int> RunAsync(ParseResult parse, TextWriter stderr, Func<SandboxClient, Task<int>> action)
    {
        try
        {
            var root = parse.GetValue(s_repoOption) is { Length: > 0 } repo
                ? Path.GetFullPath(repo)
                : GitRepository.Discover(Environment.CurrentDirectory).Root;
            var settings = CliSettings.Load(parse.GetValue(CliApp.OfflineOption), root);
            var paths = new ClusterPaths(root, ClusterName.Resolve(settings.Cluster.Name, root));
            using var ports = DockerEngine.Ports(settings);
            var port = ports.SharesLoopback ? settings.Cluster.GatewayPort : await ForwardedGatewayPortAsync(settings, paths, ports).ConfigureAwait(false);
            using var client = SandboxClient.Connect(GatewayEndpoint.Resolve(paths, port));
            return await action(client).ConfigureAwait(false);
        }
        catch (GitException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message} (run inside the OpenShell checkout, or pass --repo)").ConfigureAwait(false);
            return 1;
        }
        catch (DevLoopException ex)
        {
            return await CliErrors.PrintAsync(stderr, ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The local end of the forward to the gateway a remote engine's node publishes (its port there was picked by the engine),
    /// or null when the node is not there.
    /// </summary>
    private static async Task<int?> ForwardedGatewayPortAsync(Configuration.OpenShellSettings settings, ClusterPaths paths, IEnginePorts ports)
    {
        using var docker = DockerEngine.CreateClient(settings.Engine);
        global::Docker.DotNet.Models.ContainerInspectResponse node;
        try
        {
            node = await docker.Containers.InspectContainerAsync(ClusterName.ContainerName(paths.ClusterName)).ConfigureAwait(false);
        }
        catch (global::Docker.DotNet.DockerContainerNotFoundException)
        {
            return null;
        }

        return PublishedPort.Of(node, settings.Cluster.GatewayNodePort) is { } published ? await ports.LocalPortAsync(published).ConfigureAwait(false) : null;
    }

    /// <summary>Prints each new phase on stderr while create waits.</summary>
    private sealed class PhasePrinter(TextWriter stderr) : IProgress<Sandbox>
    {
        private string? _last;

        public void Report(Sandbox value)
        {
            var line = $"{value.Name}: {SandboxDiagnosis.Describe(value)}";
            if (line != _last)
            {
                _last = line;
                stderr.WriteLine(line);
            }
        }
    }
}
