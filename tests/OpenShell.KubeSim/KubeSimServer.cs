using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using k8s;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Controllers;
using OpenShell.KubeSim.Kubelet;
using OpenShell.KubeSim.Security;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim;

/// <summary>
/// A running Kubernetes API simulator: HTTPS with its own CA, a kubeconfig with a bearer token, an in-memory store,
/// and small controllers modelling what k3s would do. A test double; see the project README for what is modelled.
/// </summary>
public sealed class KubeSimServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorCertificates _certificates;
    private readonly ControllerHost _controllers;
    private readonly DockerKubelet? _kubelet;
    private readonly bool _ownsKubeconfig;
    private int _disposed;

    private KubeSimServer(WebApplication app, SimulatorCertificates certificates, ControllerHost controllers, DockerKubelet? kubelet, ObjectStore store, KubeSimFaults faults, Uri url, string kubeconfigPath, bool ownsKubeconfig)
    {
        _app = app;
        _kubelet = kubelet;
        _certificates = certificates;
        _controllers = controllers;
        _ownsKubeconfig = ownsKubeconfig;
        Store = store;
        Faults = faults;
        Url = url;
        KubeconfigPath = kubeconfigPath;
        ClientConfiguration = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);
    }

    /// <summary>The HTTPS URL the API is served on (loopback form when bound to all interfaces).</summary>
    public Uri Url { get; }

    /// <summary>The kubeconfig that KubernetesClient and kubectl accept.</summary>
    public string KubeconfigPath { get; }

    /// <summary>A client configuration built from <see cref="KubeconfigPath"/>.</summary>
    public KubernetesClientConfiguration ClientConfiguration { get; }

    /// <summary>Fault injection for reliability tests.</summary>
    public KubeSimFaults Faults { get; }

    internal ObjectStore Store { get; }

    /// <summary>Starts a simulator and returns once it serves requests and the manifests folder (if any) is applied.</summary>
    public static async Task<KubeSimServer> StartAsync(KubeSimOptions? options = null, CancellationToken ct = default)
    {
        options ??= new KubeSimOptions();
        if (!IPAddress.TryParse(options.BindAddress, out var bindAddress))
        {
            throw new ArgumentException($"BindAddress \"{options.BindAddress}\" is not an IP address: use 127.0.0.1 or 0.0.0.0.", nameof(options));
        }

        if (options.ManifestsDirectory is { } manifests && !Directory.Exists(manifests))
        {
            throw new DirectoryNotFoundException($"The manifests folder {manifests} does not exist: create it or leave ManifestsDirectory unset.");
        }

        var certificates = SimulatorCertificates.Create(options.TlsSubjectAlternativeNames);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var store = new ObjectStore(options.WatchHistoryLimit) { GracefulPodDeletion = options.Kubelet.Mode == KubeletMode.Docker };
        var faults = new KubeSimFaults();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(KubeSimServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(bindAddress, options.Port, listen => listen.UseHttps(certificates.Server));
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        if (options.ConsoleLogging)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        var app = builder.Build();
        var handler = new KubeApiHandler(store, faults, token, app.Lifetime.ApplicationStopping);
        app.Run(handler.HandleAsync);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenShell.KubeSim");
        var controllers = new ControllerHost(store, options, faults, certificates.AuthorityPem, logger);
        DockerKubelet? kubelet = null;
        try
        {
            controllers.Bootstrap();
            await app.StartAsync(ct).ConfigureAwait(false);

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(address).Port;
            if (options.Kubelet.Mode == KubeletMode.Docker)
            {
                kubelet = await DockerKubelet.StartAsync(store, options.Kubelet, bindAddress, port, token, certificates.AuthorityPem, logger, ct).ConfigureAwait(false);
                handler.PodLogs = kubelet;
            }

            controllers.Start(kubelet);
            var host = IPAddress.IsLoopback(bindAddress) || bindAddress.Equals(IPAddress.Any) || bindAddress.Equals(IPAddress.IPv6Any)
                ? "127.0.0.1"
                : bindAddress.ToString();
            var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://{host}:{port}"));

            var ownsKubeconfig = options.KubeconfigPath is null;
            var kubeconfigPath = options.KubeconfigPath ?? Path.Combine(Path.GetTempPath(), $"kubesim-{Guid.NewGuid():N}.yaml");
            var kubeconfigServer = options.KubeconfigServer is { } custom ? new Uri(custom) : url;
            KubeconfigWriter.Write(kubeconfigPath, KubeconfigWriter.Render(kubeconfigServer, certificates.AuthorityPem, token));

            await controllers.ApplyManifestsAsync(ct).ConfigureAwait(false);
            return new KubeSimServer(app, certificates, controllers, kubelet, store, faults, url, kubeconfigPath, ownsKubeconfig);
        }
        catch
        {
            await controllers.DisposeAsync().ConfigureAwait(false);
            if (kubelet is not null)
            {
                await kubelet.DisposeAsync().ConfigureAwait(false);
            }

            await app.DisposeAsync().ConfigureAwait(false);
            certificates.Dispose();
            throw;
        }
    }

    /// <summary>A KubernetesClient for this simulator.</summary>
    public IKubernetes CreateClient() => new Kubernetes(ClientConfiguration);

    /// <summary>Completes when the host is asked to stop (SIGTERM or Ctrl+C in standalone mode).</summary>
    internal Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _controllers.DisposeAsync().ConfigureAwait(false);
        if (_kubelet is not null)
        {
            await _kubelet.DisposeAsync().ConfigureAwait(false);
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificates.Dispose();
        if (_ownsKubeconfig)
        {
            File.Delete(KubeconfigPath);
        }
    }
}
