using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;

namespace OpenShell.AppHost.Telemetry;

/// <summary>
/// Carries OTLP/HTTP from the cluster to the dashboard. The dashboard listens on the host's loopback, which the node and
/// its pods cannot reach; the relay listens on the Docker host's bridge address (what <c>host.docker.internal</c>
/// resolves to in the node) and forwards each export with the dashboard's API key, so the key never enters the cluster.
/// It forwards to the dashboard's OTLP/HTTP endpoint as it is, or to its gRPC endpoint as a unary gRPC call (same
/// protobuf message, length-prefixed).
/// </summary>
internal sealed class OtlpRelay : IAsyncDisposable
{
    // OTLP/HTTP paths and the gRPC method that takes the same message.
    private static readonly Dictionary<string, string> s_signals = new(StringComparer.Ordinal)
    {
        ["/v1/traces"] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
        ["/v1/logs"] = "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
        ["/v1/metrics"] = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    };

    private const int MaxBody = 16 * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly DashboardOtlp _dashboard;
    private readonly ILogger _logger;
    private long _forwarded;
    private int _unreachable;

    private OtlpRelay(WebApplication app, Uri endpoint, DashboardOtlp dashboard, ILogger logger, HttpMessageHandler? handler)
    {
        _app = app;
        _dashboard = dashboard;
        _logger = logger;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromSeconds(10);
        Endpoint = endpoint;
        app.MapPost("/v1/{signal}", RelayAsync);
    }

    /// <summary>Where the relay listens.</summary>
    public Uri Endpoint { get; }

    /// <summary>How many exports reached the dashboard.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>
    /// Listens on <paramref name="address"/>:<paramref name="port"/> only; throws <see cref="IOException"/> when the
    /// address cannot be bound (the port is taken, or the address is not this host's).
    /// </summary>
    public static async Task<OtlpRelay> StartAsync(IPAddress address, int port, DashboardOtlp dashboard, ILogger logger, HttpMessageHandler? handler = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(logger);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "otlp-relay" });
        // Exporters call it by whatever name resolves to the address (an IP, host.docker.internal): any Host header is fine.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBody;
            kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var relay = new OtlpRelay(app, new UriBuilder(Uri.UriSchemeHttp, address.ToString(), port).Uri, dashboard, logger, handler);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await relay.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return relay;
    }

    private async Task RelayAsync(HttpContext context, string signal)
    {
        var path = "/v1/" + signal;
        if (!s_signals.TryGetValue(path, out var grpcMethod))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!IsProtobuf(context.Request.ContentType))
        {
            // JSON would need converting for the gRPC endpoint; exporters default to protobuf.
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
            using var forward = _dashboard.Protocol == OtlpExportProtocol.HttpProtobuf
                ? HttpExport(path, body.ToArray())
                : GrpcExport(grpcMethod, body.ToArray());
            if (_dashboard.ApiKey is { } key)
            {
                forward.Headers.TryAddWithoutValidation(DashboardOtlp.ApiKeyHeader, key);
            }

            using var answer = await _http.SendAsync(forward, context.RequestAborted).ConfigureAwait(false);
            await answer.Content.LoadIntoBufferAsync(context.RequestAborted).ConfigureAwait(false);
            var grpcStatus = answer.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.FirstOrDefault()
                : answer.Headers.TryGetValues("grpc-status", out values) ? values.FirstOrDefault() : null;
            if (answer.IsSuccessStatusCode && (_dashboard.Protocol == OtlpExportProtocol.HttpProtobuf || grpcStatus == "0"))
            {
                Interlocked.Increment(ref _forwarded);
                if (Interlocked.Exchange(ref _unreachable, 0) == 1)
                {
                    _logger.LogInformation("Relaying telemetry to the dashboard at {Endpoint} again", _dashboard.Endpoint);
                }

                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/x-protobuf";
                return;
            }

            // 401 from the dashboard means a wrong key: the relay's fault, so it is logged here, not left to the pods.
            _logger.LogWarning("The dashboard refused a relayed {Path} export: HTTP {Status}{Grpc}", path, (int)answer.StatusCode,
                grpcStatus is null ? "" : $", grpc-status {grpcStatus}");
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            // Pods export every few seconds: say it once per outage, not once per export.
            if (Interlocked.Exchange(ref _unreachable, 1) == 0)
            {
                _logger.LogWarning("Could not relay telemetry to the dashboard at {Endpoint}: {Message}. Exports are dropped until it answers.", _dashboard.Endpoint, e.Message);
            }

            context.Response.StatusCode = StatusCodes.Status502BadGateway;
        }
    }

    private HttpRequestMessage HttpExport(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return new HttpRequestMessage(HttpMethod.Post, new Uri(_dashboard.Endpoint, path)) { Content = content };
    }

    private HttpRequestMessage GrpcExport(string method, byte[] body)
    {
        // A gRPC message: one byte "not compressed", four bytes big-endian length, then the protobuf bytes.
        var framed = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)body.Length);
        body.CopyTo(framed, 5);
        var content = new ByteArrayContent(framed);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_dashboard.Endpoint, method))
        {
            Content = content,
            Version = HttpVersion.Version20,
            // Plain http:// endpoints speak HTTP/2 with prior knowledge, as gRPC clients do.
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    private static bool IsProtobuf(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }
}
