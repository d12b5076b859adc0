using System.Text;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>Which login a publish uses.</summary>
public sealed class RegistryLoginTests
{
    [Fact]
    public void The_registry_variables_win_over_docker_configuration_which_wins_over_nothing()
    {
        using var folder = new TempDirectory("registry-login");
        var config = folder.Combine("config.json");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("docker-user:docker-pass"));
        File.WriteAllText(config, "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + auth + "\"}}}");
        var docker = DockerCredentials.Load(config);

        Assert.Equal(new RegistryCredential("env-user", "env-pass"), RegistryLogin.Resolve("ghcr.io", "env-user", "env-pass", docker));
        Assert.Equal(new RegistryCredential("docker-user", "docker-pass"), RegistryLogin.Resolve("ghcr.io", null, null, docker));
        // A user name without a password is not a login: the configuration is used.
        Assert.Equal(new RegistryCredential("docker-user", "docker-pass"), RegistryLogin.Resolve("ghcr.io", "env-user", "", docker));
        Assert.Null(RegistryLogin.Resolve("quay.io", null, null, docker));
    }
}
