using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Git;

namespace OpenShell.DevLoop.Cli;

/// <summary>
/// Resolves settings as the AppHost does: its settings files shipped beside the CLI, the repository's <c>.env</c>, the
/// upstream variables and <c>OpenShell__…</c> variables of the process environment.
/// </summary>
internal static class CliSettings
{
    public static OpenShellSettings Load(bool offline, string? repositoryRoot) => Resolve(offline, repositoryRoot).Settings;

    public static (OpenShellSettings Settings, IReadOnlyList<ResolvedSetting> Sources, IReadOnlyList<string> Warnings) Resolve(bool offline, string? repositoryRoot) =>
        SettingsLoader.Resolve(SettingsFiles.Load(AppContext.BaseDirectory, offline), repositoryRoot, UpstreamVariables.ProcessEnvironment());

    /// <summary>The git working tree around <paramref name="folder"/>, or null outside one.</summary>
    public static string? FindRepository(string folder)
    {
        try
        {
            return GitRepository.Discover(folder).Root;
        }
        catch (GitException)
        {
            return null;
        }
    }
}
