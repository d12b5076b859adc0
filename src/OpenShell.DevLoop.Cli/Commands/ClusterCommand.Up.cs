using System.CommandLine;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Cli.Commands;

internal static partial class ClusterCommand
{
    private static Command CreateUp(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("up", "Bootstrap the cluster (no container, or not healthy) or reuse it (healthy); prints the decision and the kubeconfig path.");
        var remote = RemoteOption.Create();
        command.Options.Add(remote);
        var bundle = RuntimeBundleOptions.AddTo(command);
        var cluster = ClusterSwitches.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var context = Resolve(parse, SwitchOverrides.Merge(RemoteOption.Overrides(parse.GetValue(remote)), bundle.Overrides(parse), cluster.Overrides(parse)));
            using var docker = DockerEngine.CreateClient(context.Settings.Engine);
            using var ports = DockerEngine.Ports(context.Settings);
            var logger = new WriterLogger(stderr);
            await using var session = new Session.DevSession(context.Settings, Session.DevSessionServices.ForDocker(docker, context.Settings, logger, new ImagePullPrinter(stderr), ports), _ => logger);
            var result = await session.UpAsync(cluster.RecreateRequested(parse), null, ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"decision: {result.Decision.Action.ToString().ToLowerInvariant()} ({result.Decision.Reason})").ConfigureAwait(false);
            await stdout.WriteLineAsync($"api: https://127.0.0.1:{result.ApiHostPort}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"gateway: 127.0.0.1:{result.GatewayHostPort}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"kubeconfig: {result.KubeconfigPath}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"security: {result.Security.SecurityLine()}").ConfigureAwait(false);
            if (result.Security.IsInsecure())
            {
                await stderr.WriteLineAsync(result.Security.InsecureLine(result.GatewayHostPort)).ConfigureAwait(false);
            }

            if (!ports.SharesLoopback)
            {
                // The ports above are the local ends of SSH forwards or relays, which end with this command.
                await stdout.WriteLineAsync(ports is Engine.TcpRelayEnginePorts relay
                    ? $"forwards: relayed to {relay.Host}, open while this command runs ('openshell-dev deploy' opens them again)"
                    : "forwards: through ssh, open while this command runs ('openshell-dev deploy' opens them again)").ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static Command CreateDown(TextWriter stdout, TextWriter stderr)
    {
        var volumes = new Option<bool>("--volumes") { Description = "Also remove the cluster's volume (all cluster state)." };
        var command = new Command("down", "Remove the cluster container (and with --volumes its volume).");
        command.Options.Add(volumes);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var context = Resolve(parse);
            using var docker = DockerEngine.CreateClient(context.Settings.Engine);
            var lifecycle = new ClusterLifecycle(docker, context.Settings, context.Paths, new WriterLogger(stderr));
            var removed = await lifecycle.RemoveAsync(parse.GetValue(volumes), ct).ConfigureAwait(false);
            await stdout.WriteLineAsync(removed ? $"removed {lifecycle.ContainerName}" : $"{lifecycle.ContainerName} does not exist").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command CreateStatus(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("status", "Print the cluster container's state, health and ports; exit code 0 only when it is healthy.");
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var context = Resolve(parse);
            using var docker = DockerEngine.CreateClient(context.Settings.Engine);
            var lifecycle = new ClusterLifecycle(docker, context.Settings, context.Paths, new WriterLogger(stderr));
            var status = await lifecycle.StatusAsync(ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"container: {status.ContainerName}").ConfigureAwait(false);
            if (!status.Exists)
            {
                await stdout.WriteLineAsync("state: absent (run 'openshell-dev cluster up')").ConfigureAwait(false);
                return 3;
            }

            await stdout.WriteLineAsync($"state: {status.State}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"health: {status.Health ?? "none"}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"image: {status.Image}").ConfigureAwait(false);
            if (status.ApiHostPort is { } port)
            {
                // Status opens no forward: for an ssh:// engine the port is the remote machine's.
                using var ports = DockerEngine.Ports(context.Settings);
                await stdout.WriteLineAsync(ports.SharesLoopback
                    ? $"api: https://127.0.0.1:{port}"
                    : $"api: port {port} on the engine's machine (forwarded while 'cluster up', 'deploy' or the AppHost runs)").ConfigureAwait(false);
            }

            if (!string.IsNullOrWhiteSpace(status.LastHealthOutput))
            {
                await stdout.WriteLineAsync($"last health check: {status.LastHealthOutput.Trim().Replace('\n', ' ')}").ConfigureAwait(false);
            }

            return status.Health == "healthy" ? 0 : 3;
        }));
        return command;
    }

    private static Command CreateKubeconfig(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("kubeconfig", "Refresh the kubeconfig from the running node and print its path.");
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var context = Resolve(parse);
            using var docker = DockerEngine.CreateClient(context.Settings.Engine);
            using var ports = DockerEngine.Ports(context.Settings);
            var lifecycle = new ClusterLifecycle(docker, context.Settings, context.Paths, new WriterLogger(stderr), ports);
            var container = await lifecycle.InspectAsync(ct).ConfigureAwait(false);
            if (container is not { State.Running: true })
            {
                await stderr.WriteLineAsync($"error: {lifecycle.ContainerName} is not running; start it with 'openshell-dev cluster up'.").ConfigureAwait(false);
                return 1;
            }

            var path = await KubeconfigExtractor.ExtractAsync(docker, ports, container.ID, KubeconfigExtractor.ApiHostPort(container), context.Paths.Kubeconfig, ct).ConfigureAwait(false);
            await stdout.WriteLineAsync(path).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
