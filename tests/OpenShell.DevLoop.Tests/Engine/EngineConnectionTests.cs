using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using System.Text;
using OpenShell.DevLoop.Engine;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>The engine is chosen as Docker's client chooses it: setting, DOCKER_HOST, context, local socket.</summary>
public sealed class EngineConnectionTests : IDisposable
{
    private readonly TempDirectory _home = new("engine-home");

    private string DockerDirectory => Path.Combine(_home.Path, ".docker");

    public void Dispose() => _home.Dispose();

    public static TheoryData<string?, string?, string, string> Hosts => new()
    {
        // configured host, DOCKER_HOST, expected host, expected source
        { null, null, "unix:///var/run/docker.sock", "the local socket" },
        { null, "unix:///run/user/1000/docker.sock", "unix:///run/user/1000/docker.sock", "DOCKER_HOST" },
        { "tcp://10.0.0.5:2375", "unix:///run/other.sock", "tcp://10.0.0.5:2375/", "OpenShell:Engine:Host" },
        { "  ", "tcp://127.0.0.2:2375", "tcp://127.0.0.2:2375/", "DOCKER_HOST" },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_setting_wins_then_docker_host_then_the_local_socket(string? configured, string? dockerHost, string host, string source)
    {
        var engine = EngineConnection.Resolve(configured, Env(("DOCKER_HOST", dockerHost)), _home.Path);

        Assert.Equal(host, engine.Host.ToString());
        Assert.Equal(source, engine.Source);
        Assert.Null(engine.Tls);
        Assert.Equal(engine.Host.Scheme == "unix" ? engine.Host.AbsolutePath : null, engine.SocketOnEngineHost);
    }

    public static TheoryData<string, string> BadHosts => new()
    {
        { "localhost:2375", "not a Docker engine address" },
        { "http://127.0.0.1:2375", "not a Docker engine address" },
        { "tcp://127.0.0.1", "has no port" },
        { "ssh://dev:secret@gpu-box", "holds a password" },
        { "ssh://dev@gpu-box/var/run/docker.sock", "OpenShell:Engine:RemoteSocket" },
    };

    [Theory]
    [MemberData(nameof(BadHosts))]
    public void A_host_docker_cannot_use_is_refused_with_the_variable_and_the_fix(string dockerHost, string expected)
    {
        var error = Assert.Throws<EngineConnectionException>(() => EngineConnection.Resolve(null, Env(("DOCKER_HOST", dockerHost)), _home.Path));

        Assert.Contains("DOCKER_HOST", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message + error.Remedy, StringComparison.Ordinal);
        Assert.NotNull(error.Remedy);
    }

    [Fact]
    public void Tls_verify_takes_the_three_files_from_docker_cert_path()
    {
        var certs = TlsFolder("certs", "ca.pem", "cert.pem", "key.pem");

        var engine = EngineConnection.Resolve(null, Env(("DOCKER_HOST", "tcp://127.0.0.2:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs)), _home.Path);

        Assert.Equal(new EngineTls(true, Path.Combine(certs, "ca.pem"), Path.Combine(certs, "cert.pem"), Path.Combine(certs, "key.pem")), engine.Tls);
        Assert.Contains("(TLS, verified) from DOCKER_HOST", engine.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_without_verification_needs_no_ca_and_defaults_to_the_docker_folder()
    {
        TlsFolder(".docker", "cert.pem", "key.pem");

        var engine = EngineConnection.Resolve(null, Env(("DOCKER_HOST", "tcp://127.0.0.2:2376"), ("DOCKER_TLS", "1")), _home.Path);

        Assert.False(engine.Tls!.Verify);
        Assert.Equal(Path.Combine(DockerDirectory, "cert.pem"), engine.Tls.CertificatePath);
    }

    [Fact]
    public void Missing_tls_files_are_named_with_where_they_were_looked_for()
    {
        var certs = TlsFolder("certs", "cert.pem");

        var error = Assert.Throws<EngineConnectionException>(() =>
            EngineConnection.Resolve(null, Env(("DOCKER_HOST", "tcp://127.0.0.2:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs)), _home.Path));

        Assert.Contains("ca.pem, key.pem", error.Message, StringComparison.Ordinal);
        Assert.Contains($"DOCKER_CERT_PATH ({certs})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_current_context_of_the_docker_config_is_used_with_its_tls_files()
    {
        Context("gpu-box", "tcp://192.0.2.10:2376", tls: true);
        File.WriteAllText(Path.Combine(DockerDirectory, "config.json"), """{ "auths": {}, "currentContext": "gpu-box" }""");

        var engine = EngineConnection.Resolve(null, Env(), _home.Path);

        Assert.Equal("tcp://192.0.2.10:2376/", engine.Host.ToString());
        Assert.True(engine.Tls!.Verify);
        Assert.StartsWith(Path.Combine(DockerDirectory, "contexts", "tls"), engine.Tls.CaPath, StringComparison.Ordinal);
        Assert.StartsWith("context \"gpu-box\"", engine.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_context_overrides_the_config_and_docker_host_overrides_both()
    {
        Context("one", "unix:///run/one.sock", tls: false);
        Context("two", "unix:///run/two.sock", tls: false);
        File.WriteAllText(Path.Combine(DockerDirectory, "config.json"), """{ "currentContext": "one" }""");

        Assert.Equal("unix:///run/two.sock", EngineConnection.Resolve(null, Env(("DOCKER_CONTEXT", "two")), _home.Path).Host.ToString());
        Assert.Equal("unix:///run/three.sock", EngineConnection.Resolve(null, Env(("DOCKER_CONTEXT", "two"), ("DOCKER_HOST", "unix:///run/three.sock")), _home.Path).Host.ToString());
        Assert.Equal(EngineConnection.LocalSocket, EngineConnection.Resolve(null, Env(("DOCKER_CONTEXT", "default")), _home.Path).Host);
    }

    [Fact]
    public void Docker_config_moves_the_whole_folder()
    {
        var elsewhere = Path.Combine(_home.Path, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Context("moved", "unix:///run/moved.sock", tls: false, configDirectory: elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "config.json"), """{ "currentContext": "moved" }""");

        Assert.Equal("unix:///run/moved.sock", EngineConnection.Resolve(null, Env(("DOCKER_CONFIG", elsewhere)), _home.Path).Host.ToString());
    }

    [Fact]
    public void The_engine_setting_binds_from_configuration_and_wins()
    {
        var settings = OpenShell.DevLoop.Configuration.OpenShellSettings.From(
            new ConfigurationBuilder().AddInMemoryCollection(
            [
                new("OpenShell:Engine:Host", "tcp://127.0.0.2:2375"),
                new("OpenShell:Engine:RemoteSocket", "/run/docker.sock"),
                new("OpenShell:Engine:SshConfig", "/etc/ssh/tunnel_config"),
            ]).Build(),
            new Dictionary<string, string?>());

        var engine = EngineConnection.Resolve(settings.Engine.Host, Env(("DOCKER_HOST", "unix:///run/other.sock")), _home.Path);

        Assert.Equal("tcp://127.0.0.2:2375/", engine.Host.ToString());
        Assert.Equal("OpenShell:Engine:Host", engine.Source);
        Assert.Equal("/run/docker.sock", settings.Engine.RemoteSocket);
        Assert.Equal("/etc/ssh/tunnel_config", settings.Engine.SshConfig);
    }

    public static TheoryData<string, string?, string?, string> SshHosts => new()
    {
        // OpenShell:Engine:Host, RemoteSocket, SshConfig, expected remote socket
        { "ssh://dev@gpu-box", null, null, "/var/run/docker.sock" },
        { "ssh://root@127.0.0.1:2222", "/run/user/1000/docker.sock", "/etc/openshell/ssh_config", "/run/user/1000/docker.sock" },
        { "ssh://gpu-box", "  ", "", "/var/run/docker.sock" },
    };

    [Theory]
    [MemberData(nameof(SshHosts))]
    public void An_ssh_engine_carries_the_remote_socket_and_the_ssh_config(string host, string? remoteSocket, string? sshConfig, string expectedSocket)
    {
        var settings = new OpenShell.DevLoop.Configuration.EngineSettings { Host = host, RemoteSocket = remoteSocket, SshConfig = sshConfig };

        var engine = EngineConnection.FromSettings(settings, Env(("DOCKER_HOST", "unix:///run/other.sock")), _home.Path);

        Assert.Equal(new Uri(host), engine.Host);
        Assert.Equal("OpenShell:Engine:Host", engine.Source);
        Assert.Null(engine.Tls);
        Assert.Equal(new EngineSsh(expectedSocket, string.IsNullOrWhiteSpace(sshConfig) ? null : sshConfig), engine.Ssh);
        Assert.False(engine.IsLocal);
        Assert.Equal(expectedSocket, engine.SocketOnEngineHost);
        Assert.Contains($"(socket {expectedSocket} over ssh)", engine.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ssh_docker_host_and_an_ssh_context_are_engines_too()
    {
        Context("remote", "ssh://dev@gpu-box:2200", tls: false);

        var fromHost = EngineConnection.Resolve(null, Env(("DOCKER_HOST", "ssh://dev@gpu-box")), _home.Path);
        var fromContext = EngineConnection.Resolve(null, Env(("DOCKER_CONTEXT", "remote")), _home.Path);

        Assert.Equal(EngineSsh.Default, fromHost.Ssh);
        Assert.Equal("ssh://dev@gpu-box:2200/", fromContext.Host.ToString());
        Assert.Equal(EngineSsh.Default, fromContext.Ssh);
        Assert.Null(EngineConnection.Resolve(null, Env(("DOCKER_HOST", "tcp://127.0.0.2:2375")), _home.Path).Ssh);
    }

    [Fact]
    public void A_relative_remote_socket_is_refused()
    {
        var settings = new OpenShell.DevLoop.Configuration.EngineSettings { Host = "ssh://dev@gpu-box", RemoteSocket = "docker.sock" };

        var error = Assert.Throws<EngineConnectionException>(() => EngineConnection.FromSettings(settings, Env(), _home.Path));

        Assert.Contains("OpenShell:Engine:RemoteSocket is \"docker.sock\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("/var/run/docker.sock", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_context_that_does_not_exist_says_how_to_list_them()
    {
        var error = Assert.Throws<EngineConnectionException>(() => EngineConnection.Resolve(null, Env(("DOCKER_CONTEXT", "nope")), _home.Path));

        Assert.Contains("\"nope\" named by DOCKER_CONTEXT does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("docker context ls", error.Remedy, StringComparison.Ordinal);
    }

    private void Context(string name, string host, bool tls, string? configDirectory = null)
    {
        var root = configDirectory ?? DockerDirectory;
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        var meta = Path.Combine(root, "contexts", "meta", id);
        Directory.CreateDirectory(meta);
        var document = new { Name = name, Metadata = new { }, Endpoints = new { docker = new { Host = host, SkipTLSVerify = false } } };
        File.WriteAllText(Path.Combine(meta, "meta.json"), System.Text.Json.JsonSerializer.Serialize(document));
        if (tls)
        {
            var folder = Path.Combine(root, "contexts", "tls", id, "docker");
            Directory.CreateDirectory(folder);
            foreach (var file in new[] { "ca.pem", "cert.pem", "key.pem" })
            {
                File.WriteAllText(Path.Combine(folder, file), "pem");
            }
        }
    }

    private string TlsFolder(string name, params string[] files)
    {
        var folder = Path.Combine(_home.Path, name);
        Directory.CreateDirectory(folder);
        foreach (var file in files)
        {
            File.WriteAllText(Path.Combine(folder, file), "pem");
        }

        return folder;
    }

    private static Func<string, string?> Env(params (string Name, string? Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;
}
