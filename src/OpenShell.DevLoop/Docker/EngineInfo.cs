using System.Text.Json;

namespace OpenShell.DevLoop.Docker;

/// <summary>
/// Reads the engine's <c>GET /info</c> as JSON. Docker.DotNet's model predates <c>CDISpecDirs</c> (API 1.44), so the
/// GPU preflight reads the document itself.
/// </summary>
public static class EngineInfo
{
    /// <summary>The GPU-related part of the engine's information.</summary>
    public static async Task<EngineGpuSupport> ReadGpuSupportAsync(Uri endpoint, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var handler = new SocketsHttpHandler();
        Uri requestUri;
        if (endpoint.Scheme == "unix")
        {
            handler.ConnectCallback = UnixSocketHttp.ConnectTo(endpoint.LocalPath);
            requestUri = new Uri("http://docker/info");
        }
        else
        {
            requestUri = new UriBuilder(endpoint) { Scheme = endpoint.Scheme == "tcp" ? "http" : endpoint.Scheme, Path = "/info" }.Uri;
        }

        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.GetAsync(requestUri, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            return Parse(endpoint.ToString(), document.RootElement);
        }
    }

    /// <summary>Reads the fields the GPU preflight needs from an <c>/info</c> document.</summary>
    public static EngineGpuSupport Parse(string endpoint, JsonElement info)
    {
        var version = info.TryGetProperty("ServerVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "unknown";
        var runtimes = info.TryGetProperty("Runtimes", out var r) && r.ValueKind == JsonValueKind.Object
            ? r.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray()
            : [];
        string[]? cdi = info.TryGetProperty("CDISpecDirs", out var c) && c.ValueKind == JsonValueKind.Array
            ? [.. c.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : null;
        return new EngineGpuSupport(endpoint, version, runtimes, cdi);
    }
}
