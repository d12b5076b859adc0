using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace OpenShell.AppHost.Telemetry;

/// <summary>
/// Where the AppHost's own dashboard takes OTLP, read from the configuration Aspire itself uses: the HTTP endpoint
/// (<c>ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL</c>) when there is one, else the gRPC endpoint
/// (<c>ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL</c>, formerly <c>DOTNET_DASHBOARD_OTLP_ENDPOINT_URL</c>), and the API key the
/// dashboard requires (<c>AppHost:OtlpApiKey</c>, sent as <c>x-otlp-api-key</c>).
/// </summary>
/// <param name="Endpoint">The endpoint the exporters send to (for HTTP, the signal's path included).</param>
/// <param name="Protocol">gRPC or HTTP/protobuf.</param>
/// <param name="ApiKey">The dashboard's API key, or null when it accepts anonymous telemetry.</param>
internal sealed record DashboardOtlp(Uri Endpoint, OtlpExportProtocol Protocol, string? ApiKey)
{
    /// <summary>The header that carries the API key.</summary>
    public const string ApiKeyHeader = "x-otlp-api-key";

    /// <summary>The dashboard's OTLP endpoint, or null when the dashboard is disabled or has none.</summary>
    public static DashboardOtlp? Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var apiKey = configuration["AppHost:OtlpApiKey"] is { Length: > 0 } key ? key : null;
        if (Url(configuration, "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL") is { } http)
        {
            return new DashboardOtlp(http, OtlpExportProtocol.HttpProtobuf, apiKey);
        }

        return Url(configuration, "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL") is { } grpc
            ? new DashboardOtlp(grpc, OtlpExportProtocol.Grpc, apiKey)
            : null;
    }

    /// <summary>The exporter options for the signal at <paramref name="httpPath"/> (<c>v1/traces</c>, <c>v1/metrics</c>).</summary>
    public void Configure(OtlpExporterOptions options, string httpPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Protocol = Protocol;
        // Set in code, the endpoint is used as given: HTTP needs the signal's path, gRPC the bare address.
        options.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(Endpoint, httpPath) : Endpoint;
        options.Headers = ApiKey is null ? null : $"{ApiKeyHeader}={ApiKey}";
    }

    private static Uri? Url(IConfiguration configuration, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (configuration[key] is { Length: > 0 } value)
            {
                // A list of URLs (";"-separated) is allowed; the first is used.
                var first = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
                return Uri.TryCreate(first, UriKind.Absolute, out var uri) ? uri : null;
            }
        }

        return null;
    }
}
