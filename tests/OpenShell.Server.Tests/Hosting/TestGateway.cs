using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenShell.Server.Configuration;
using OpenShell.Server.Hosting;
using OpenShell.Server.Sandboxes;
using OpenShell.Server.Tests.Security;
using OpenShell.Testing;

namespace OpenShell.Server.Tests.Hosting;

/// <summary>
/// A real gateway on loopback ports with certificates made for the test: a server CA, a client CA and a
/// foreign CA whose client certificate must be refused.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly WebApplication _app;

    private TestGateway(TempDirectory directory, WebApplication app, GatewayOptions options, TestCertificateAuthority serverCa, IssuedCertificate client, IssuedCertificate foreignClient)
    {
        _directory = directory;
        _app = app;
        Options = options;
        ServerCa = serverCa;
        Client = client;
        ForeignClient = foreignClient;
    }

    internal GatewayOptions Options { get; }

    internal TestCertificateAuthority ServerCa { get; }

    internal IssuedCertificate Client { get; }

    internal IssuedCertificate ForeignClient { get; }

    internal IServiceProvider Services => _app.Services;

    internal SupervisorRegistry Registry => _app.Services.GetRequiredService<SupervisorRegistry>();

    internal Uri Endpoint => new($"{(Options.DisableTls ? "http" : "https")}://127.0.0.1:{Options.Port}");

    internal Uri HealthEndpoint => new($"http://127.0.0.1:{Options.HealthPort}");

    /// <summary>
    /// Starts a gateway; <paramref name="configure"/> adjusts the options (ports and certificates are filled in),
    /// <paramref name="configureServices"/> adds services (e.g. a telemetry exporter).
    /// </summary>
    internal static async Task<TestGateway> StartAsync(Func<GatewayOptions, GatewayOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        var directory = new TempDirectory("gateway");
        var serverCa = new TestCertificateAuthority("server", directory.Path);
        var clientCa = new TestCertificateAuthority("clients", directory.Path);
        using var foreignCa = new TestCertificateAuthority("foreign", directory.Path);
        var server = serverCa.IssueServer();
        var client = clientCa.IssueClient();
        var foreign = foreignCa.IssueClient("foreign-client");
        clientCa.Dispose();

        var options = new GatewayOptions
        {
            ListenAddress = IPAddress.Loopback,
            Port = FreePort(),
            HealthPort = FreePort(),
            TlsCertificatePath = server.CertificatePath,
            TlsKeyPath = server.KeyPath,
            ClientCaPath = clientCa.CertificatePath,
            GrpcEndpoint = "https://openshell.openshell.svc.cluster.local:8080",
            WatchPollInterval = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        };
        options = configure?.Invoke(options) ?? options;

        var app = GatewayApplication.Build(options, configureServices);
        await app.StartAsync();
        return new TestGateway(directory, app, options, serverCa, client, foreign);
    }

    /// <summary>A gRPC channel presenting <paramref name="clientCertificate"/> (or none) and trusting only the server CA.</summary>
    internal GrpcChannel CreateChannel(X509Certificate2? clientCertificate) =>
        GrpcChannel.ForAddress(Endpoint, new GrpcChannelOptions { HttpHandler = CreateHandler(clientCertificate), DisposeHttpClient = true });

    internal SocketsHttpHandler CreateHandler(X509Certificate2? clientCertificate)
    {
        var roots = new X509Certificate2Collection(ServerCa.Certificate);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 server && chain.Build(server);
                },
            },
        };
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        ServerCa.Dispose();
        _directory.Dispose();
    }
}
