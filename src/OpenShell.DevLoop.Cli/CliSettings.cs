using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Cli;

/// <summary>Resolves settings from the AppHost's settings files shipped beside the CLI.</summary>
internal static class CliSettings
{
    public static OpenShellSettings Load(bool offline) =>
        OpenShellSettings.From(SettingsFiles.Load(AppContext.BaseDirectory, offline));
}
