using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenShell.DevLoop.Engine;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>
/// A second Docker engine on this machine, listening on <c>tcp://127.0.0.2</c> with TLS client verification as a remote
/// engine would (its own data root, exec root and bridge, so it never touches the engine the other tests share; not
/// <c>--bridge none</c>, with which dockerd deletes the host's <c>docker0</c>, the first engine's bridge).
/// </summary>
public sealed class TlsEngineTests
{
    [RequiresDocker]
    public async Task A_tls_engine_answers_with_the_right_client_certificate_and_refuses_a_foreign_one()
    {
        using var folder = new TempDirectory("tls-engine");
        var pki = TestPki.Create(folder.Path);
        var port = FreePort();
        var firstEnginesBridge = HostHasInterface("docker0");
        await using (await SecondEngine.StartAsync(folder.Path, port, pki))
        {
            await CheckAsync(folder.Path, port, pki);
        }

        // The second engine came and went without taking the first engine's bridge with it.
        Assert.Equal(firstEnginesBridge, HostHasInterface("docker0"));
    }

    private static bool HostHasInterface(string name) =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(n => n.Name == name);

    private static async Task CheckAsync(string home, int port, TestPki pki)
    {
        var good = EngineConnection.Resolve(null, Env(("DOCKER_HOST", $"tcp://127.0.0.2:{port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", pki.ClientFolder)), home);
        using (var client = good.CreateClient())
        {
            var version = await good.CheckAsync(client);
            Assert.False(string.IsNullOrEmpty(version.Version));
        }

        // A client certificate from another CA: the engine ends the handshake.
        var foreign = EngineConnection.Resolve(null, Env(("DOCKER_HOST", $"tcp://127.0.0.2:{port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", pki.ForeignFolder)), home);
        using (var client = foreign.CreateClient())
        {
            var refused = await Assert.ThrowsAsync<EngineConnectionException>(() => foreign.CheckAsync(client));
            Assert.Contains($"tcp://127.0.0.2:{port}/ (DOCKER_HOST) did not answer", refused.Message, StringComparison.Ordinal);
            Assert.Contains("refused the TLS handshake", refused.Remedy, StringComparison.Ordinal);
        }

        // Without TLS the engine's TLS port answers nothing a Docker client understands.
        var plain = EngineConnection.Resolve(null, Env(("DOCKER_HOST", $"tcp://127.0.0.2:{port}")), home);
        using (var client = plain.CreateClient())
        {
            var refused = await Assert.ThrowsAsync<EngineConnectionException>(() => plain.CheckAsync(client));
            Assert.Contains("DOCKER_TLS_VERIFY=1", refused.Remedy, StringComparison.Ordinal);
        }
    }

    private static Func<string, string?> Env(params (string Name, string? Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A CA, the engine's server certificate for 127.0.0.2, a client certificate, and one from a foreign CA.</summary>
    private sealed record TestPki(string ServerFolder, string ClientFolder, string ForeignFolder)
    {
        public static TestPki Create(string root)
        {
            using var ca = CreateCa("engine-ca");
            using var foreignCa = CreateCa("foreign-ca");
            var server = Path.Combine(root, "server");
            var client = Path.Combine(root, "client");
            var foreign = Path.Combine(root, "foreign");
            foreach (var folder in new[] { server, client, foreign })
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.ExportCertificatePem());
            }

            Issue(ca, server, "server", isServer: true);
            Issue(ca, client, "client", isServer: false);
            Issue(foreignCa, foreign, "intruder", isServer: false);
            return new TestPki(server, client, foreign);
        }

        private static X509Certificate2 CreateCa(string name)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        }

        private static void Issue(X509Certificate2 ca, string folder, string name, bool isServer)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid(isServer ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
            if (isServer)
            {
                var names = new SubjectAlternativeNameBuilder();
                names.AddIpAddress(IPAddress.Parse("127.0.0.2"));
                request.CertificateExtensions.Add(names.Build());
            }

            // A leaf must not outlive its CA: a few hours, against the CA's day.
            using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(6), RandomNumberGenerator.GetBytes(12));
            File.WriteAllText(Path.Combine(folder, "cert.pem"), issued.ExportCertificatePem());
            File.WriteAllText(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        }
    }

    /// <summary>A <c>dockerd</c> of its own on a TCP port with TLS verification; stopped and removed on dispose.</summary>
    private sealed class SecondEngine : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _root;
        private readonly string _bridge;

        private SecondEngine(Process process, string root, string bridge)
        {
            _process = process;
            _root = root;
            _bridge = bridge;
        }

        // A bridge interface of its own on a private /24, made before dockerd starts (it takes an existing one).
        private static async Task<string> OwnBridgeAsync(string name)
        {
            var octet = 100 + (Math.Abs(name.GetHashCode(StringComparison.Ordinal)) % 100);
            foreach (var command in new[]
            {
                new[] { "link", "add", name, "type", "bridge" },
                ["addr", "add", $"10.213.{octet}.1/24", "dev", name],
                ["link", "set", name, "up"],
            })
            {
                (await TestProcess.RunAsync("ip", command)).EnsureSuccess($"ip {string.Join(' ', command)}");
            }

            return name;
        }

        public static async Task<SecondEngine> StartAsync(string root, int port, TestPki pki)
        {
            // Short paths: containerd's socket lives under the exec root and socket paths are limited to 108 bytes.
            var id = Guid.NewGuid().ToString("N")[..8];
            var exec = Path.Combine("/tmp", "osd-" + id);
            var bridge = await OwnBridgeAsync("osdbr" + id[..6]);
            var info = new ProcessStartInfo("dockerd")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[]
            {
                "--host", $"tcp://127.0.0.2:{port}",
                "--tlsverify",
                "--tlscacert", Path.Combine(pki.ServerFolder, "ca.pem"),
                "--tlscert", Path.Combine(pki.ServerFolder, "cert.pem"),
                "--tlskey", Path.Combine(pki.ServerFolder, "key.pem"),
                "--data-root", Path.Combine(root, "data"),
                "--exec-root", exec,
                "--pidfile", Path.Combine(exec, "docker.pid"),
                "--bridge", bridge,
                "--iptables=false",
                "--ip6tables=false",
            })
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("dockerd did not start");
            var log = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var engine = new SecondEngine(process, exec, bridge);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    break;
                }

                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(IPAddress.Parse("127.0.0.2"), port);
                    return engine;
                }
                catch (SocketException)
                {
                    await Task.Delay(250);
                }
            }

            await engine.DisposeAsync();
            string text;
            lock (log)
            {
                text = log.ToString();
            }

            throw new Xunit.Sdk.XunitException($"the second dockerd did not listen on 127.0.0.2:{port}:\n{text}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // SIGTERM lets dockerd stop its containerd and unmount its data root.
                Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.Dispose();
            await TestProcess.RunAsync("ip", ["link", "delete", _bridge]);
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
