using System.Text;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Docker;

public sealed class DockerCredentialsTests
{
    private static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public void Auths_entries_give_the_login_of_their_registry()
    {
        using var folder = new TempDirectory("docker-config");
        var path = folder.Combine("config.json");
        File.WriteAllText(path, $$"""
            {
              "auths": {
                "https://index.docker.io/v1/": { "auth": "{{Basic("hub-user", "hub:secret")}}" },
                "registry.example.com:5000": { "username": "u", "password": "p" },
                "https://ghcr.io": { "identitytoken": "tok" }
              }
            }
            """);

        var credentials = DockerCredentials.Load(path);

        var hub = credentials.For(null)!;
        Assert.Equal(("hub-user", "hub:secret"), (hub.Username, hub.Password));
        Assert.Equal("hub-user", credentials.For("docker.io")!.Username);
        Assert.Equal(("u", "p"), (credentials.For("registry.example.com:5000")!.Username, credentials.For("registry.example.com:5000")!.Password));
        Assert.Equal("tok", credentials.For("ghcr.io")!.IdentityToken);
        Assert.Null(credentials.For("quay.io"));
        Assert.Equal(path, credentials.Source);
    }

    [Fact]
    public void A_missing_file_means_anonymous_pulls()
    {
        using var folder = new TempDirectory("docker-config");

        Assert.Null(DockerCredentials.Load(folder.Combine("none.json")).For("docker.io"));
    }

    [Fact]
    public void A_damaged_file_is_an_error_naming_it()
    {
        using var folder = new TempDirectory("docker-config");
        var path = folder.Combine("config.json");
        File.WriteAllText(path, "{ not json");

        var ex = Assert.Throws<InvalidOperationException>(() => DockerCredentials.Load(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credential_helpers_are_asked_for_registries_without_an_auths_login()
    {
        using var folder = new TempDirectory("docker-config");
        var path = folder.Combine("config.json");
        File.WriteAllText(path, """{ "auths": { "ghcr.io": {} }, "credHelpers": { "ghcr.io": "gh" }, "credsStore": "desktop" }""");
        var asked = new List<(string Helper, string Server)>();
        var credentials = DockerCredentials.Load(path, (helper, server) =>
        {
            asked.Add((helper, server));
            return helper == "gh" ? """{"ServerURL":"ghcr.io","Username":"octo","Secret":"s3"}""" : null;
        });

        var ghcr = credentials.For("ghcr.io")!;
        var hub = credentials.For("docker.io");

        Assert.Equal(("octo", "s3"), (ghcr.Username, ghcr.Password));
        Assert.Null(hub);
        Assert.Equal([("gh", "ghcr.io"), ("desktop", DockerCredentials.DockerHubKey)], asked);
    }
}
