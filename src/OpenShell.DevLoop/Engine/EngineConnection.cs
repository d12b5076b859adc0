using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.X509;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// Which Docker engine to talk to and how, chosen as Docker's own client chooses: <c>OpenShell:Engine:Host</c>, else
/// <c>DOCKER_HOST</c> (with <c>DOCKER_TLS_VERIFY</c>/<c>DOCKER_TLS</c> and <c>DOCKER_CERT_PATH</c>), else the context named by
/// <c>DOCKER_CONTEXT</c> or the Docker config's <c>currentContext</c> (metadata and TLS files under
/// <c>~/.docker/contexts</c>, or <c>DOCKER_CONFIG</c>), else the local socket. One type for every part, so the AppHost, the
/// CLI and the tests cannot pick different engines.
/// </summary>
/// <param name="Host">The engine's address (<c>unix://</c>, <c>tcp://</c>, <c>ssh://</c>).</param>
/// <param name="Tls">TLS settings for a <c>tcp://</c> engine, or null for none.</param>
/// <param name="Source">Where the choice came from, as a person reads it (<c>DOCKER_HOST</c>, <c>context "gpu-box"</c>).</param>
/// <param name="Ssh">How an <c>ssh://</c> engine is reached, or null for the others.</param>
public sealed record EngineConnection(Uri Host, EngineTls? Tls, string Source, EngineSsh? Ssh = null)
{
    /// <summary>The local engine's socket, when nothing else is named.</summary>
    public static readonly Uri LocalSocket = new("unix:///var/run/docker.sock");

    /// <summary>True when the engine runs on this machine (its socket is a local file).</summary>
    public bool IsLocal => Host.Scheme == "unix";

    /// <summary>
    /// The engine's socket as a path on the engine's own machine, which is what a container bind-mounts to reach its
    /// engine: the <c>unix://</c> path, or an <c>ssh://</c> engine's remote socket; null for <c>tcp://</c> (not known).
    /// </summary>
    public string? SocketOnEngineHost => Host.Scheme switch
    {
        "unix" => Host.AbsolutePath,
        "ssh" => (Ssh ?? EngineSsh.Default).RemoteSocket,
        _ => null,
    };

    /// <summary>
    /// Resolves the engine from <paramref name="configuredHost"/> (<c>OpenShell:Engine:Host</c>) and the Docker client
    /// variables in <paramref name="environment"/>; <paramref name="home"/> is where <c>.docker</c> lives by default.
    /// </summary>
    /// <exception cref="EngineConnectionException">The named engine, context or certificate files are unusable.</exception>
    public static EngineConnection Resolve(string? configuredHost, Func<string, string?> environment, string home) =>
        Resolve(configuredHost, EngineSsh.Default, environment, home);

    /// <summary>
    /// Resolves the engine from <paramref name="settings"/> (<c>OpenShell:Engine</c>: the host, and for an <c>ssh://</c>
    /// engine the remote socket and ssh configuration) and the Docker client variables in <paramref name="environment"/>.
    /// </summary>
    /// <exception cref="EngineConnectionException">The named engine, context or certificate files are unusable.</exception>
    public static EngineConnection FromSettings(Configuration.EngineSettings settings, Func<string, string?> environment, string home)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var remoteSocket = Value(settings.RemoteSocket) ?? EngineSsh.DefaultRemoteSocket;
        if (!remoteSocket.StartsWith('/'))
        {
            throw new EngineConnectionException(
                $"OpenShell:Engine:RemoteSocket is \"{remoteSocket}\", which is not an absolute path",
                $"set it to the remote engine's socket, e.g. {EngineSsh.DefaultRemoteSocket}");
        }

        return Resolve(settings.Host, new EngineSsh(remoteSocket, Value(settings.SshConfig)), environment, home);
    }

    private static EngineConnection Resolve(string? configuredHost, EngineSsh ssh, Func<string, string?> environment, string home)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(home);
        var configDirectory = Value(environment, "DOCKER_CONFIG") ?? Path.Combine(home, ".docker");
        if (Value(configuredHost) is { } configured)
        {
            return FromHost(configured, "OpenShell:Engine:Host", ssh, environment, configDirectory);
        }

        if (Value(environment, "DOCKER_HOST") is { } host)
        {
            return FromHost(host, "DOCKER_HOST", ssh, environment, configDirectory);
        }

        var (context, origin) = Value(environment, "DOCKER_CONTEXT") is { } named
            ? (named, "DOCKER_CONTEXT")
            : (CurrentContext(configDirectory), Path.Combine(configDirectory, "config.json"));
        return context is null or "default"
            ? new EngineConnection(LocalSocket, null, "the local socket")
            : FromContext(context, origin, ssh, configDirectory);
    }

    /// <summary>
    /// Creates a client for this engine; it does not connect until first used. For an <c>ssh://</c> engine the client owns
    /// an <see cref="SshTunnel"/>: its first request opens it, and disposing the client stops it.
    /// </summary>
    /// <exception cref="EngineConnectionException">The client certificate or the CA cannot be read.</exception>
    public DockerClient CreateClient()
    {
        if (Host.Scheme == "ssh")
        {
            var tunnel = new SshTunnel(Host, Ssh ?? EngineSsh.Default, Source);
            return new DockerClientConfiguration(tunnel.LocalEndpoint, new SshTunnelCredentials(tunnel)).CreateClient();
        }

        if (Tls is null)
        {
            return new DockerClientConfiguration(Host).CreateClient();
        }

        X509Certificate2 certificate;
        X509Certificate2? ca;
        try
        {
            // A PEM key is not usable for TLS on every platform until it is re-imported as PKCS#12.
            using var pem = X509Certificate2.CreateFromPemFile(Tls.CertificatePath, Tls.KeyPath);
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            ca = Tls.Verify ? X509CertificateLoader.LoadCertificateFromFile(Tls.CaPath) : null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new EngineConnectionException(
                $"the TLS files for {Host} ({Source}) cannot be read: {e.Message}",
                $"check {Tls.CertificatePath}, {Tls.KeyPath} and {Tls.CaPath} (DOCKER_CERT_PATH, or the context's TLS files)", e);
        }

        var credentials = new CertificateCredentials(certificate)
        {
            ServerCertificateValidationCallback = (_, server, _, errors) => ca is null || Trusts(ca, server, errors),
        };
        return new DockerClientConfiguration(Host, credentials).CreateClient();
    }

    /// <summary>
    /// How this machine reaches the ports the engine's containers publish on the engine's loopback: as they are for an
    /// engine on this machine, through <see cref="SshPortForwards"/> (owned by the caller, who disposes it) for <c>ssh://</c>.
    /// A <c>tcp://</c> engine on another machine is refused: see <see cref="CreatePorts(Configuration.OpenShellSettings)"/>.
    /// </summary>
    /// <exception cref="EngineConnectionException">The engine's loopback cannot be reached from this machine.</exception>
    public IEnginePorts CreatePorts() => CreatePorts(PortPlan(null, null), Ssh ?? EngineSsh.Default);

    /// <summary>
    /// How this machine reaches the ports the engine's containers publish, as <see cref="EnginePortPlan"/> decides with
    /// <paramref name="settings"/> (<c>OpenShell:Cluster:RemoteBindAddress</c> and <c>OpenShell:Engine:SshTunnel</c> for a
    /// <c>tcp://</c> engine). The caller owns what is returned and disposes it.
    /// </summary>
    /// <exception cref="EngineConnectionException">A setting is malformed, or the published ports cannot be reached.</exception>
    public IEnginePorts CreatePorts(Configuration.OpenShellSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tunnelSsh = Ssh ?? new EngineSsh(EngineSsh.DefaultRemoteSocket, string.IsNullOrWhiteSpace(settings.Engine.SshConfig) ? null : settings.Engine.SshConfig.Trim());
        return CreatePorts(PortPlan(settings.Cluster.RemoteBindAddress, settings.Engine.SshTunnel), tunnelSsh);
    }

    /// <summary>The plan for this engine's published ports (see <see cref="EnginePortPlan.Decide"/>).</summary>
    /// <exception cref="EngineConnectionException">A setting is malformed, or the published ports cannot be reached.</exception>
    public EnginePortPlan PortPlan(string? remoteBindAddress, string? sshTunnel) => EnginePortPlan.Decide(this, remoteBindAddress, sshTunnel);

    private IEnginePorts CreatePorts(EnginePortPlan plan, EngineSsh ssh) => plan.Route switch
    {
        EnginePortRoute.SshForwards => new SshPortForwards(plan.Tunnel!, ssh, plan.Tunnel == Host ? Source : EnginePortPlan.TunnelSetting, plan.ForwardTo!),
        EnginePortRoute.Direct => new TcpRelayEnginePorts(plan.DialHost!),
        _ => LoopbackEnginePorts.Instance,
    };

    /// <summary>
    /// Asks the engine for its version through <paramref name="client"/>; a failure says which engine, why, and what to
    /// check (a refused handshake is nearly always a client certificate from another CA, or none).
    /// </summary>
    /// <exception cref="EngineConnectionException">The engine did not answer.</exception>
    public async Task<global::Docker.DotNet.Models.VersionResponse> CheckAsync(IDockerClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            return await client.System.GetVersionAsync(ct).ConfigureAwait(false);
        }
        catch (SshTunnelException)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or System.Net.Sockets.SocketException or DockerApiException or System.Security.Authentication.AuthenticationException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var root = e.GetBaseException();
            var handshake = Chain(e).Any(x => x is System.Security.Authentication.AuthenticationException);
            var remedy = Host.Scheme == "ssh"
                ? "the tunnel opened but the engine stopped answering through it: check the remote engine (`docker version` there) and the SSH connection"
                : Tls is null
                ? Host.Scheme == "tcp"
                    ? "if the engine uses TLS (usually port 2376), set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem"
                    : "start the Docker engine (dockerd, or Docker Desktop), or point DOCKER_HOST at a running one"
                : handshake
                    ? $"the engine refused the TLS handshake: {Tls.CertificatePath} must be signed by the CA the engine trusts (dockerd --tlscacert), and {Tls.CaPath} must be the CA of the engine's certificate"
                    : "check that the engine listens there and that the port is reachable from this machine";
            throw new EngineConnectionException($"the Docker engine at {Host} ({Source}) did not answer: {root.Message}", remedy, e);
        }
    }

    /// <summary>The engine as the user should see it: address, TLS and where it was chosen.</summary>
    public override string ToString() =>
        $"{Host}{(Tls is null ? "" : Tls.Verify ? " (TLS, verified)" : " (TLS, not verified)")}{(Ssh is null ? "" : $" (socket {Ssh.RemoteSocket} over ssh)")} from {Source}";

    private static EngineConnection FromHost(string text, string source, EngineSsh ssh, Func<string, string?> environment, string configDirectory)
    {
        var host = ParseHost(text, source);
        if (host.Scheme == "ssh")
        {
            return new EngineConnection(host, null, source, ssh);
        }

        if (host.Scheme != "tcp")
        {
            return new EngineConnection(host, null, source);
        }

        var verify = Value(environment, "DOCKER_TLS_VERIFY") is not null;
        var tls = verify || Value(environment, "DOCKER_TLS") is not null;
        if (!tls)
        {
            return new EngineConnection(host, null, source);
        }

        var certPath = Value(environment, "DOCKER_CERT_PATH") ?? configDirectory;
        return new EngineConnection(host, Files(certPath, verify, $"DOCKER_CERT_PATH ({certPath})"), source);
    }

    private static EngineConnection FromContext(string name, string origin, EngineSsh ssh, string configDirectory)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        var meta = Path.Combine(configDirectory, "contexts", "meta", id, "meta.json");
        var source = $"context \"{name}\" ({origin})";
        if (!File.Exists(meta))
        {
            throw new EngineConnectionException(
                $"the Docker context \"{name}\" named by {origin} does not exist (no {meta})",
                "list the contexts with `docker context ls` and select one with `docker context use NAME`, or unset DOCKER_CONTEXT");
        }

        string? hostText;
        bool skipVerify;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(meta));
            var docker = document.RootElement.GetProperty("Endpoints").GetProperty("docker");
            hostText = docker.TryGetProperty("Host", out var h) ? h.GetString() : null;
            skipVerify = docker.TryGetProperty("SkipTLSVerify", out var s) && s.ValueKind == JsonValueKind.True;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new EngineConnectionException($"the Docker context \"{name}\" cannot be read ({meta}): {e.Message}",
                $"recreate it with `docker context create {name} --docker host=...`", e);
        }

        if (Value(hostText) is not { } text)
        {
            return new EngineConnection(LocalSocket, null, source);
        }

        var host = ParseHost(text, source);
        var tlsDirectory = Path.Combine(configDirectory, "contexts", "tls", id, "docker");
        var tls = host.Scheme == "tcp" && Directory.Exists(tlsDirectory)
            ? Files(tlsDirectory, !skipVerify, $"the context's TLS folder ({tlsDirectory})")
            : null;
        return new EngineConnection(host, tls, source, host.Scheme == "ssh" ? ssh : null);
    }

    private static EngineTls Files(string directory, bool verify, string where)
    {
        var tls = new EngineTls(verify, Path.Combine(directory, "ca.pem"), Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"));
        var missing = new[] { verify ? tls.CaPath : null, tls.CertificatePath, tls.KeyPath }.Where(p => p is not null && !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            throw new EngineConnectionException(
                $"TLS to the Docker engine needs {string.Join(", ", missing.Select(Path.GetFileName))} in {where}",
                "put the engine's ca.pem and your cert.pem and key.pem there, or point DOCKER_CERT_PATH at the folder that has them");
        }

        return tls;
    }

    private static Uri ParseHost(string text, string source)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var host) || host.Scheme is not ("unix" or "tcp" or "ssh"))
        {
            throw new EngineConnectionException(
                $"{source} is \"{text}\", which is not a Docker engine address",
                "use unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST[:PORT]");
        }

        if (host.Scheme == "ssh")
        {
            // Docker's client refuses the same: a password cannot be given to ssh, and a path would be ignored.
            if (host.UserInfo.Contains(':', StringComparison.Ordinal))
            {
                throw new EngineConnectionException($"{source} is \"{text}\", which holds a password",
                    "remove the password (ssh://USER@HOST[:PORT]) and log in with a key (ssh-copy-id USER@HOST)");
            }

            if (host.AbsolutePath is not ("" or "/") || host.Query.Length > 0 || host.Host.Length == 0)
            {
                throw new EngineConnectionException($"{source} is \"{text}\", which is not an ssh:// engine address",
                    "use ssh://USER@HOST[:PORT]; the remote socket is set with OpenShell:Engine:RemoteSocket");
            }
        }

        if (host.Scheme == "tcp" && host.IsDefaultPort)
        {
            throw new EngineConnectionException($"{source} is \"{text}\", which has no port", "add the engine's port, e.g. tcp://HOST:2376 for TLS");
        }

        return host;
    }

    private static string? CurrentContext(string configDirectory)
    {
        var config = Path.Combine(configDirectory, "config.json");
        if (!File.Exists(config))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(config));
            return document.RootElement.TryGetProperty("currentContext", out var current) ? Value(current.GetString()) : null;
        }
        catch (JsonException e)
        {
            throw new EngineConnectionException($"the Docker config {config} is not valid JSON: {e.Message}", "fix or remove the file", e);
        }
    }

    private static bool Trusts(X509Certificate2 ca, X509Certificate? server, SslPolicyErrors errors)
    {
        if (server is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        // Only the engine's CA is trusted, as Docker's client does with ca.pem; the name must still match.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = X509CertificateLoader.LoadCertificate(server.GetRawCertData());
        return chain.Build(certificate) && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    private static string? Value(Func<string, string?> environment, string name) => Value(environment(name));

    private static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
