using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Pki;
using OpenShell.DevLoop.Sandboxes;
using OpenShell.KubeSim;
using OpenShell.Server.Configuration;
using OpenShell.Server.Hosting;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests.Sandboxes;

/// <summary>
/// A checkout as <c>cluster up</c> leaves it (<c>.env</c> with <c>GATEWAY_PORT</c>, the client certificate under
/// <c>.cache/pki/&lt;cluster&gt;/</c>) and a real gateway serving mutual TLS on that port with the cluster's PKI,
/// creating sandbox pods in the Kubernetes API simulator. The test plays the supervisor's part over the gateway's own
/// Supervisor API (the kubelet that would run it is not part of the simulator).
/// </summary>
internal sealed class LocalGateway : IAsyncDisposable
{
    internal const string ClusterName = "ossbx";
    internal const string Namespace = "openshell";

    private readonly WebApplication? _app;
    private readonly Supervisor.SupervisorClient? _supervisor;
    private readonly SandboxClient? _client;

    private LocalGateway(TempDirectory checkout, KubeSimServer sim, IKubernetes kubernetes, WebApplication? app, int port)
    {
        Checkout = checkout;
        Sim = sim;
        Kubernetes = kubernetes;
        _app = app;
        Port = port;
        Paths = new ClusterPaths(checkout.Path, ClusterName);
        if (app is not null)
        {
            _client = SandboxClient.Connect(GatewayEndpoint.Resolve(Paths, port));
            _supervisor = new Supervisor.SupervisorClient(GatewayEndpoint.Resolve(Paths, port).OpenChannel());
        }
    }

    internal TempDirectory Checkout { get; }

    internal KubeSimServer Sim { get; }

    internal IKubernetes Kubernetes { get; }

    internal int Port { get; }

    internal ClusterPaths Paths { get; }

    /// <summary>The engine client the CLI uses, connected to this gateway.</summary>
    internal SandboxClient Client => _client ?? throw new InvalidOperationException("the gateway was not started");

    /// <summary>Starts the simulator and, unless <paramref name="serve"/> is false, the gateway; writes the checkout's files.</summary>
    /// <param name="serve">Start the gateway (false: only the checkout's files and the simulator).</param>
    /// <param name="writePki">Write the client certificate under <c>.cache/pki/</c>.</param>
    /// <param name="writePort">Write <c>GATEWAY_PORT</c> to <c>.env</c>.</param>
    /// <param name="sandboxesCallBackOnLoopback">Tell sandboxes to call the gateway on 127.0.0.1 (for containers on the host network).</param>
    /// <param name="security">How the gateway guards its port; recorded for the checkout as <c>cluster up</c> records it.</param>
    internal static async Task<LocalGateway> StartAsync(
        bool serve = true, bool writePki = true, bool writePort = true, bool sandboxesCallBackOnLoopback = false, GatewaySecurity security = GatewaySecurity.Mtls)
    {
        var checkout = new TempDirectory("ossbx-checkout");
        var sim = await KubeSimServer.StartAsync(new KubeSimOptions { PodStartDelay = TimeSpan.FromMilliseconds(300) });
        var kubernetes = sim.CreateClient();
        await kubernetes.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });

        var port = FreePort();
        var paths = new ClusterPaths(checkout.Path, ClusterName);
        var material = PkiGenerator.Generate();
        var serverFiles = checkout.Combine("server-tls");
        Directory.CreateDirectory(serverFiles);
        await File.WriteAllTextAsync(Path.Combine(serverFiles, "tls.crt"), material.ServerCertificate);
        await File.WriteAllTextAsync(Path.Combine(serverFiles, "tls.key"), material.ServerKey);
        await File.WriteAllTextAsync(Path.Combine(serverFiles, "ca.crt"), material.CaCertificate);
        if (writePki)
        {
            Directory.CreateDirectory(paths.PkiDirectory);
            await File.WriteAllTextAsync(Path.Combine(paths.PkiDirectory, ClusterSecrets.CaFile), material.CaCertificate);
            await File.WriteAllTextAsync(Path.Combine(paths.PkiDirectory, ClusterSecrets.ClientCertificateFile), material.ClientCertificate);
            await File.WriteAllTextAsync(Path.Combine(paths.PkiDirectory, ClusterSecrets.ClientKeyFile), material.ClientKey);
        }

        if (security != GatewaySecurity.Mtls)
        {
            await GatewaySecurityRecord.WriteAsync(paths, security);
        }

        var env = $"CLUSTER_NAME={ClusterName}\n" + (writePort ? $"GATEWAY_PORT={port.ToString(CultureInfo.InvariantCulture)}\n" : string.Empty);
        await File.WriteAllTextAsync(paths.EnvFile, env);

        WebApplication? app = null;
        if (serve)
        {
            app = GatewayApplication.Build(new GatewayOptions
            {
                ListenAddress = IPAddress.Loopback,
                Port = port,
                HealthPort = FreePort(),
                TlsCertificatePath = Path.Combine(serverFiles, "tls.crt"),
                TlsKeyPath = Path.Combine(serverFiles, "tls.key"),
                ClientCaPath = Path.Combine(serverFiles, "ca.crt"),
                DisableTls = security == GatewaySecurity.Plaintext,
                DisableGatewayAuth = security == GatewaySecurity.TlsWithoutClientAuth,
                KubeconfigPath = sim.KubeconfigPath,
                SandboxNamespace = Namespace,
                WatchPollInterval = TimeSpan.FromMilliseconds(200),
                HeartbeatInterval = TimeSpan.FromSeconds(1),
                GrpcEndpoint = sandboxesCallBackOnLoopback ? $"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" : GatewayOptions.DefaultGrpcEndpoint,
            });
            await app.StartAsync();
        }

        return new LocalGateway(checkout, sim, kubernetes, app, port);
    }

    /// <summary>A stand-in for a supervisor binary: its SHA-256 is what registers.</summary>
    internal static string Sha256Of(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Waits until the pod exists and runs, then registers its supervisor as the binary would.</summary>
    internal async Task RegisterWhenRunningAsync(string name, string sha256, int? exitCode = null, string? previousUid = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var pods = await Kubernetes.CoreV1.ListNamespacedPodAsync(Namespace, fieldSelector: $"metadata.name={name}");
            if (pods.Items.FirstOrDefault() is { Status.Phase: "Running" } pod && pod.Metadata.Uid != previousUid)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"pod {name} never ran");
            }

            await Task.Delay(50);
        }

        await _supervisor!.RegisterAsync(new RegisterRequest { SandboxId = name, SupervisorVersion = "0.1.0", BinarySha256 = sha256 });
        if (exitCode is { } code)
        {
            await _supervisor.ReportExitAsync(new ReportExitRequest { SandboxId = name, ExitCode = code });
        }
    }

    internal async Task<string> PodUidAsync(string name) => (await Kubernetes.CoreV1.ReadNamespacedPodAsync(name, Namespace)).Metadata.Uid;

    /// <summary>Records a Kubernetes event against the pod, as the kubelet would.</summary>
    internal async Task AddEventAsync(string pod, string type, string reason, string message) =>
        await PodEvents.RecordAsync(Kubernetes, Namespace, pod, await PodUidAsync(pod), type, reason, message, DateTime.UtcNow);

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Kubernetes.Dispose();
        await Sim.DisposeAsync();
        Checkout.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
