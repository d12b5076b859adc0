using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using OpenShell.Core.V1;
using OpenShell.Server.Tests.Hosting;

namespace OpenShell.Server.Tests.Security;

/// <summary>The gateway port on a real socket: only client certificates from the configured CA get through.</summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Valid_client_certificate_reaches_grpc_and_http1()
    {
        using var channel = _gateway.CreateChannel(_gateway.Client.Certificate);
        var version = await new Gateway.GatewayClient(channel).GetVersionAsync(new GetVersionRequest());
        Assert.Equal("0.1.0", version.Version);

        using var http = new HttpClient(_gateway.CreateHandler(_gateway.Client.Certificate)) { DefaultRequestVersion = new Version(1, 1) };
        using var response = await http.GetAsync(_gateway.Endpoint);
        Assert.Equal(new Version(1, 1), response.Version);
        Assert.StartsWith("openshell-server", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string, SslProtocols> RefusedClients => new()
    {
        { "none", SslProtocols.Tls12 },
        { "none", SslProtocols.Tls13 },
        { "foreign", SslProtocols.Tls12 },
        { "foreign", SslProtocols.Tls13 },
    };

    [Theory]
    [MemberData(nameof(RefusedClients))]
    public async Task Handshake_fails_without_a_certificate_of_the_client_ca(string client, SslProtocols protocol)
    {
        var certificate = client == "foreign" ? _gateway.ForeignClient.Certificate : null;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _gateway.Options.Port);
        await using var tls = new SslStream(tcp.GetStream());

        // The server judges the client certificate once its TLS layer has finished the handshake, then aborts it
        // with an alert: the client sees the failure during the handshake or at its first read. Either way the
        // gateway never answers a byte of application data.
        var failure = await Record.ExceptionAsync(async () =>
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocol,
                ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            });
            await tls.WriteAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
            var buffer = new byte[256];
            var read = await tls.ReadAsync(buffer);
            if (read == 0)
            {
                throw new IOException("connection closed by the gateway");
            }
        });

        Assert.True(failure is AuthenticationException or IOException, $"expected a TLS failure, got {failure?.GetType().Name ?? "a response"}");
    }

    [Fact]
    public async Task Grpc_call_without_a_certificate_fails_at_the_transport()
    {
        using var channel = _gateway.CreateChannel(null);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Gateway.GatewayClient(channel).GetVersionAsync(new GetVersionRequest()));
        AssertTransportFailure(error);
    }

    [Fact]
    public async Task Grpc_call_with_a_foreign_certificate_fails_at_the_transport()
    {
        using var channel = _gateway.CreateChannel(_gateway.ForeignClient.Certificate);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Gateway.GatewayClient(channel).GetVersionAsync(new GetVersionRequest()));
        AssertTransportFailure(error);
    }

    // With TLS 1.3 the server checks the client certificate after the client considers the handshake done, so the
    // refusal surfaces either while connecting (Unavailable) or as the connection being reset (Internal); never as an
    // answer from the service.
    private static void AssertTransportFailure(RpcException error) =>
        Assert.True(error.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"expected the call to fail at the transport, got {error.StatusCode}: {error.Status.Detail}");
}
