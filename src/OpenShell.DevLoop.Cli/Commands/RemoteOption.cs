using System.CommandLine;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>
/// <c>--remote HOST</c>, upstream's switch for a remote machine: shorthand for <c>DOCKER_HOST=ssh://HOST</c>, given to the
/// settings as <c>OpenShell:Engine:Host</c> so it wins over <c>DOCKER_HOST</c> and the Docker context.
/// </summary>
internal static class RemoteOption
{
    /// <summary>The settings key the switch sets.</summary>
    public const string Key = "OpenShell:Engine:Host";

    /// <summary>Creates the option.</summary>
    public static Option<string?> Create() => new("--remote")
    {
        Description = "Use the Docker engine of another machine over SSH: [USER@]HOST[:PORT], shorthand for DOCKER_HOST=ssh://HOST. "
            + "The host key must be known and a key must log in (no prompts); the remote socket is OpenShell:Engine:RemoteSocket (default /var/run/docker.sock).",
        HelpName = "HOST",
    };

    /// <summary>The settings overrides for <paramref name="remote"/>: none when it is not given.</summary>
    /// <exception cref="ArgumentException">The value is empty or names another kind of engine.</exception>
    public static IReadOnlyDictionary<string, string?> Overrides(string? remote)
    {
        if (remote is null)
        {
            return new Dictionary<string, string?>();
        }

        var text = remote.Trim();
        if (text.Length == 0 || text.Contains("://", StringComparison.Ordinal) && !text.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--remote is \"{remote}\", which is not an SSH destination: give [USER@]HOST[:PORT] (for a tcp:// engine set DOCKER_HOST instead)");
        }

        return new Dictionary<string, string?> { [Key] = text.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase) ? text : "ssh://" + text };
    }
}
