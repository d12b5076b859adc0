using System.CommandLine;
using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>openshell-dev config</c>: prints the resolved settings, the same ones the AppHost uses.</summary>
internal static class ConfigCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("config", "Print the resolved settings (images, registry) as the AppHost sees them.");
        command.SetAction(parse =>
        {
            var settings = CliSettings.Load(parse.GetValue(CliApp.OfflineOption));
            stdout.WriteLine($"profile={settings.Profile}");
            stdout.WriteLine($"images.registry={settings.Images.Registry}");
            stdout.WriteLine($"images.k3s={settings.Images.K3s}");
            stdout.WriteLine($"images.clusterBase={settings.Images.ClusterBase}");
            stdout.WriteLine($"images.runtimeDeps={settings.Images.RuntimeDeps}");
            stdout.WriteLine($"registry.hostPort={settings.Registry.HostPort}");
            stdout.WriteLine($"registry.containerName={settings.Registry.ContainerName}");
            return 0;
        });
        return command;
    }
}
