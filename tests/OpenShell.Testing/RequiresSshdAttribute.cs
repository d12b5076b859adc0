using Xunit;

namespace OpenShell.Testing;

/// <summary>
/// A fact that needs a Docker engine and OpenSSH's server and client. Without them it is skipped with a visible reason,
/// unless <c>OPENSHELL_REQUIRE_DOCKER=1</c> (CI installs <c>openssh-server</c>), where it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresSshdAttribute : FactAttribute
{
    /// <summary>Where Debian's openssh-server puts the daemon.</summary>
    public const string Daemon = "/usr/sbin/sshd";

    /// <summary>Creates the attribute and decides whether to skip.</summary>
    public RequiresSshdAttribute()
    {
        if (DockerGate.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (!DockerGate.Required && (!File.Exists(Daemon) || !OnPath("ssh")))
        {
            Skip = $"No {Daemon} or no ssh client: install openssh-server and openssh-client, or set OPENSHELL_REQUIRE_DOCKER=1 to make this a failure.";
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));
}
