using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Docker.DotNet.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.AppHost.Telemetry;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;
using OpenTelemetry.Exporter;

namespace OpenShell.AppHost.Tests.Telemetry;

/// <summary>The relay that carries the cluster's OTLP exports to the dashboard, with the dashboard's key added.</summary>
public sealed class OtlpRelayTests
{
    private static readonly byte[] s_export = [0x0a, 0x03, 0x01, 0x02, 0x03, 0xff, 0x00, 0x7f];

    [Fact]
    public async Task An_http_export_reaches_the_dashboards_http_endpoint_byte_for_byte_with_its_key()
    {
        using var collector = new OtlpHttpCollector();
        await using var relay = await OtlpRelay.StartAsync(IPAddress.Loopback, FreePort(), new DashboardOtlp(new Uri(collector.Endpoint), OtlpExportProtocol.HttpProtobuf, "dash-key"), NullLogger.Instance);

        using var http = new HttpClient();
        using var answer = await http.PostAsync(new Uri(relay.Endpoint, "v1/traces"), Protobuf(s_export));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var received = await collector.WaitForAsync("/v1/traces", "");
        Assert.Equal("dash-key", received.ApiKey);
        Assert.Equal(s_export, received.Raw);
        Assert.Equal(1, relay.Forwarded);
    }

    [Fact]
    public async Task A_grpc_dashboard_gets_the_same_message_as_a_unary_grpc_call()
    {
        var calls = new ConcurrentQueue<(string Path, string? Key, string? ContentType, byte[] Body)>();
        await using var dashboard = await StartGrpcDashboardAsync(calls);
        await using var relay = await OtlpRelay.StartAsync(IPAddress.Loopback, FreePort(), new DashboardOtlp(dashboard.Url, OtlpExportProtocol.Grpc, "dash-key"), NullLogger.Instance);

        using var http = new HttpClient();
        using var answer = await http.PostAsync(new Uri(relay.Endpoint, "v1/logs"), Protobuf(s_export));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var call = Assert.Single(calls);
        Assert.Equal("/opentelemetry.proto.collector.logs.v1.LogsService/Export", call.Path);
        Assert.Equal("dash-key", call.Key);
        Assert.Equal("application/grpc", call.ContentType);
        Assert.Equal(0, call.Body[0]);
        Assert.Equal((uint)s_export.Length, BinaryPrimitives.ReadUInt32BigEndian(call.Body.AsSpan(1)));
        Assert.Equal(s_export, call.Body[5..]);
    }

    public static TheoryData<string, string, string, HttpStatusCode> Refused => new()
    {
        { "POST", "/v1/profiles", "application/x-protobuf", HttpStatusCode.NotFound },
        { "GET", "/v1/traces", "application/x-protobuf", HttpStatusCode.MethodNotAllowed },
        { "POST", "/v1/traces", "application/json", HttpStatusCode.UnsupportedMediaType },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Anything_but_an_otlp_protobuf_export_is_refused_and_not_forwarded(string method, string path, string contentType, HttpStatusCode expected)
    {
        using var collector = new OtlpHttpCollector();
        await using var relay = await OtlpRelay.StartAsync(IPAddress.Loopback, FreePort(), new DashboardOtlp(new Uri(collector.Endpoint), OtlpExportProtocol.HttpProtobuf, null), NullLogger.Instance);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(relay.Endpoint, path.TrimStart('/')));
        if (method == "POST")
        {
            request.Content = new ByteArrayContent(s_export);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var answer = await http.SendAsync(request);

        Assert.Equal(expected, answer.StatusCode);
        Assert.Equal(0, relay.Forwarded);
    }

    [Fact]
    public async Task A_dashboard_that_does_not_answer_is_a_bad_gateway_for_the_exporter_and_one_warning_per_outage()
    {
        var log = new RecordingLogger();
        var dashboardPort = FreePort();
        await using var relay = await OtlpRelay.StartAsync(IPAddress.Loopback, FreePort(), new DashboardOtlp(new Uri($"http://127.0.0.1:{dashboardPort}"), OtlpExportProtocol.HttpProtobuf, null), log);
        using var http = new HttpClient();

        for (var i = 0; i < 3; i++)
        {
            using var answer = await http.PostAsync(new Uri(relay.Endpoint, "v1/traces"), Protobuf(s_export));
            Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        }

        var warning = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"Could not relay telemetry to the dashboard at http://127.0.0.1:{dashboardPort}/", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Exports are dropped until it answers", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_coming_back_is_said_once_and_a_new_outage_warns_again()
    {
        var log = new RecordingLogger();
        using var dashboard = new SwitchableDashboard();
        await using var relay = await OtlpRelay.StartAsync(IPAddress.Loopback, FreePort(), new DashboardOtlp(new Uri("http://127.0.0.1:1/"), OtlpExportProtocol.HttpProtobuf, null), log, dashboard);
        using var http = new HttpClient();

        async Task<HttpStatusCode> Export()
        {
            using var answer = await http.PostAsync(new Uri(relay.Endpoint, "v1/logs"), Protobuf(s_export));
            return answer.StatusCode;
        }

        dashboard.Up = false;
        Assert.Equal(HttpStatusCode.BadGateway, await Export());
        Assert.Equal(HttpStatusCode.BadGateway, await Export());
        dashboard.Up = true;
        Assert.Equal(HttpStatusCode.OK, await Export());
        Assert.Equal(HttpStatusCode.OK, await Export());
        dashboard.Up = false;
        Assert.Equal(HttpStatusCode.BadGateway, await Export());

        Assert.Equal([LogLevel.Warning, LogLevel.Information, LogLevel.Warning], log.Entries.Select(e => e.Level));
        Assert.Equal("Relaying telemetry to the dashboard at http://127.0.0.1:1/ again", log.Entries[1].Message);
        Assert.Equal(2, relay.Forwarded);
    }

    [RequiresDocker]
    public async Task A_container_reaches_the_relay_at_host_docker_internal()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        using var collector = new OtlpHttpCollector();
        var port = FreePort();
        var settings = OpenShellSettings.From(
            new ConfigurationBuilder().AddInMemoryCollection([new("OpenShell:Cluster:OtlpRelayPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture))]).Build(),
            new Dictionary<string, string?>());
        await using var host = new OtlpRelayHost(settings, new DashboardOtlp(new Uri(collector.Endpoint), OtlpExportProtocol.HttpProtobuf, "dash-key"), docker);
        await host.StartAsync(NullLogger.Instance, CancellationToken.None);
        Assert.NotNull(host.Relay);

        // Plain bash, as the node has no HTTP client: the request the exporters send, over /dev/tcp.
        var name = $"otlp-relay-probe-{Guid.NewGuid():N}"[..30];
        var script = $$"""
            exec 3<>/dev/tcp/host.docker.internal/{{port}}
            printf 'POST /v1/traces HTTP/1.1\r\nHost: relay\r\nContent-Type: application/x-protobuf\r\nContent-Length: 11\r\nConnection: close\r\n\r\nfrom-a-node' >&3
            head -n 1 <&3
            """;
        var container = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = "openshell-offline/debian:bookworm",
            Cmd = ["bash", "-c", script],
            HostConfig = new HostConfig { ExtraHosts = ["host.docker.internal:host-gateway"] },
        });
        try
        {
            await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters());
            var exit = await docker.Containers.WaitContainerAsync(container.ID);
            var logs = await ReadLogsAsync(docker, container.ID);
            Assert.True(exit.StatusCode == 0, $"the probe exited {exit.StatusCode}: {logs}");
            Assert.Contains("200", logs, StringComparison.Ordinal);
            var received = await collector.WaitForAsync("/v1/traces", "from-a-node");
            Assert.Equal("dash-key", received.ApiKey);
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    private static ByteArrayContent Protobuf(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    private static async Task<string> ReadLogsAsync(Docker.DotNet.IDockerClient docker, string id)
    {
        using var stream = await docker.Containers.GetContainerLogsAsync(id, tty: false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true });
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
        return stdout + stderr;
    }

    // A gRPC endpoint as the dashboard's: HTTP/2 without TLS, the status in the trailers.
    private static async Task<GrpcDashboard> StartGrpcDashboardAsync(ConcurrentQueue<(string, string?, string?, byte[])> calls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var port = FreePort();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapPost("/{service}/Export", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            calls.Enqueue((context.Request.Path, context.Request.Headers[DashboardOtlp.ApiKeyHeader].FirstOrDefault(), context.Request.ContentType, body.ToArray()));
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 0 });
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync();
        return new GrpcDashboard(app, new Uri($"http://127.0.0.1:{port}"));
    }

    private sealed record GrpcDashboard(WebApplication App, Uri Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dashboard's side of the relay: refuses connections while down, accepts exports while up.</summary>
    private sealed class SwitchableDashboard : HttpMessageHandler
    {
        private volatile bool _up;

        public bool Up
        {
            get => _up;
            set => _up = value;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Up ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) })
               : throw new HttpRequestException("Connection refused (127.0.0.1:1)");
    }
}
