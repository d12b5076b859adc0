using System.CommandLine;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>
/// <c>openshell-dev config</c>: every resolved setting (the AppHost's and the cluster's) with where its value came from,
/// secrets masked. Keys are printed as <c>section.key</c> (<c>cluster.imageTag</c> for <c>OpenShell:Cluster:ImageTag</c>).
/// </summary>
internal static class ConfigCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var repository = PlanningInvocation.CreateRepositoryOption();
        var command = new Command("config", "Print every resolved setting with its source (settings file, .env, environment, switch or default); secrets are masked.");
        command.Options.Add(repository);
        command.SetAction(parse =>
        {
            try
            {
                var (settings, sources, warnings) = CliSettings.Resolve(parse.GetValue(CliApp.OfflineOption), CliSettings.FindRepository(parse.GetValue(repository)!));
                stdout.WriteLine($"repository={settings.DevHost.RepositoryRoot ?? "(none: not inside a git working tree)"}");
                var width = sources.Max(s => Name(s.Key).Length + s.Value.Length + 1);
                foreach (var setting in sources)
                {
                    var line = $"{Name(setting.Key)}={setting.Value}";
                    stdout.WriteLine($"{line.PadRight(width)}  # {setting.Source}");
                }

                foreach (var warning in warnings)
                {
                    stderr.WriteLine($"warning: {warning}");
                }

                return 0;
            }
            catch (InvalidOperationException ex)
            {
                stderr.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    // OpenShell:Cluster:ImageTag -> cluster.imageTag
    private static string Name(string key) =>
        string.Join('.', key.Split(':').Skip(1).Select(part => char.ToLowerInvariant(part[0]) + part[1..]));
}
