using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Git;

namespace OpenShell.DevLoop.Cli;

/// <summary>
/// Resolves settings as the AppHost does: its settings files shipped beside the CLI, the repository's <c>.env</c>, the
/// upstream variables and <c>OpenShell__…</c> variables of the process environment.
/// </summary>
internal static class CliSettings
{
    public static OpenShellSettings Load(bool offline, string? repositoryRoot, IEnumerable<KeyValuePair<string, string?>>? switches = null) =>
        Resolve(offline, repositoryRoot, switches).Settings;

    /// <param name="offline">Also read the offline settings file.</param>
    /// <param name="repositoryRoot">The checkout whose <c>.env</c> is read.</param>
    /// <param name="switches">Settings given by the command's own switches (<c>--remote</c>), the highest layer.</param>
    public static (OpenShellSettings Settings, IReadOnlyList<ResolvedSetting> Sources, IReadOnlyList<string> Warnings) Resolve(
        bool offline, string? repositoryRoot, IEnumerable<KeyValuePair<string, string?>>? switches = null) =>
        SettingsLoader.Resolve(SettingsFiles.Load(AppContext.BaseDirectory, offline, switches), repositoryRoot, UpstreamVariables.ProcessEnvironment());

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
