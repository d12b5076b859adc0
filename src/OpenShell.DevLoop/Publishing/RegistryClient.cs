using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// The parts of the registry HTTP API (distribution spec, <c>/v2/</c>) a publish needs: read a manifest with its digest,
/// media type and size; PUT a manifest (a manifest list, or a copy under another tag); HEAD a blob; list tags and the
/// catalogue. Authentication answers the registry's challenge: Basic with the login, or the token flow
/// (<c>WWW-Authenticate: Bearer realm=…,service=…,scope=…</c>: a token fetched from the realm, with the login when there is one,
/// anonymously otherwise). Tokens are kept per scope for the client's lifetime.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistryCredential? _credential;
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> _authorization = new(StringComparer.Ordinal);

    /// <summary>Creates a client for <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The registry.</param>
    /// <param name="credential">The login, or null to work anonymously.</param>
    /// <param name="handler">The HTTP handler (tests pass a fake); null uses the default one.</param>
    public RegistryClient(RegistryEndpoint endpoint, RegistryCredential? credential = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        _credential = credential;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = TimeSpan.FromMinutes(2);
    }

    /// <summary>The registry this client speaks to.</summary>
    public RegistryEndpoint Endpoint { get; }

    /// <summary>The manifest under <paramref name="reference"/> (a tag or a digest), or null when the registry has none.</summary>
    /// <exception cref="RegistryException">The registry refused the request or cannot be reached.</exception>
    public async Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken ct = default)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Api($"{repository}/manifests/{reference}"));
            foreach (var type in ManifestMediaTypes.All)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }

            return request;
        }, PullScope(repository), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, $"GET manifest {repository}:{reference}", ct).ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var digest = DigestOf(content);
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != digest)
        {
            throw new RegistryException($"{Endpoint.Host} served {repository}@{reference} with content of digest {digest}.", "Check the registry: it served a manifest that does not match the digest asked for.");
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType
            ?? MediaTypeInContent(content)
            ?? throw new RegistryException($"{Endpoint.Host} served {repository}:{reference} without a media type.");
        return new RegistryManifest(digest, mediaType, content);
    }

    /// <summary>Stores <paramref name="content"/> under <paramref name="reference"/> (a tag or its digest) and returns its digest.</summary>
    /// <exception cref="RegistryException">The registry refused the manifest (e.g. a blob or a listed manifest it lacks).</exception>
    public async Task<string> PutManifestAsync(string repository, string reference, string mediaType, ReadOnlyMemory<byte> content, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        var bytes = content.ToArray();
        using var response = await SendAsync(() =>
        {
            var body = new ByteArrayContent(bytes);
            body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, Api($"{repository}/manifests/{reference}")) { Content = body };
        }, PushScope(repository), ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"PUT manifest {repository}:{reference}", ct).ConfigureAwait(false);
        var digest = DigestOf(bytes);
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } reported && reported != digest)
        {
            throw new RegistryException($"{Endpoint.Host} stored {repository}:{reference} as {reported}, but its content's digest is {digest}.", "The registry rewrote the manifest; publish to a registry that stores manifests as sent.");
        }

        return digest;
    }

    /// <summary>Stores <paramref name="manifest"/> under another tag of the same repository, byte for byte (so the digest is the same).</summary>
    public Task<string> CopyManifestAsync(string repository, RegistryManifest manifest, string tag, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return PutManifestAsync(repository, tag, manifest.MediaType, manifest.Content, ct);
    }

    /// <summary>True when the repository holds the blob <paramref name="digest"/>.</summary>
    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, Api($"{repository}/blobs/{digest}")), PullScope(repository), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, $"HEAD blob {repository}@{digest}", ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The size of the blob <paramref name="digest"/> in the repository, or null when the repository does not hold it.</summary>
    public async Task<long?> BlobSizeAsync(string repository, string digest, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, Api($"{repository}/blobs/{digest}")), PullScope(repository), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, $"HEAD blob {repository}@{digest}", ct).ConfigureAwait(false);
        return response.Content.Headers.ContentLength
            ?? throw new RegistryException($"{Endpoint.Host} answered HEAD blob {repository}@{digest} without its length.");
    }

    /// <summary>
    /// Uploads a blob whose digest is <paramref name="digest"/> in one request (the distribution spec's monolithic upload:
    /// POST a session, PUT the bytes with the digest). The registry checks the digest against the bytes.
    /// </summary>
    /// <param name="repository">The repository the blob goes to.</param>
    /// <param name="digest">The blob's digest (<c>sha256:…</c>).</param>
    /// <param name="open">Opens the blob's content; called once per attempt (a login challenge sends it again).</param>
    /// <param name="length">The blob's length in bytes.</param>
    /// <param name="ct">Cancels the upload.</param>
    /// <exception cref="RegistryException">The registry refused the upload or the digest.</exception>
    public async Task UploadBlobAsync(string repository, string digest, Func<Stream> open, long length, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(open);
        Uri session;
        using (var start = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Api($"{repository}/blobs/uploads/")), PushScope(repository), ct).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(start, $"POST blob upload {repository}", ct).ConfigureAwait(false);
            var location = start.Headers.Location
                ?? throw new RegistryException($"{Endpoint.Host} started a blob upload for {repository} without a Location.");
            session = location.IsAbsoluteUri ? location : new Uri(Endpoint.ApiBase, location);
        }

        var separator = session.Query.Length > 0 ? "&" : "?";
        var target = new Uri($"{session}{separator}digest={Uri.EscapeDataString(digest)}");
        using var response = await SendAsync(() =>
        {
            var body = new StreamContent(open());
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            body.Headers.ContentLength = length;
            return new HttpRequestMessage(HttpMethod.Put, target) { Content = body };
        }, PushScope(repository), ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"PUT blob {repository}@{digest}", ct).ConfigureAwait(false);
    }

    /// <summary>Opens the blob <paramref name="digest"/> (a configuration or a layer) for reading.</summary>
    /// <exception cref="RegistryException">The registry has no such blob or refused the request.</exception>
    public async Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken ct = default)
    {
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Api($"{repository}/blobs/{digest}")), PullScope(repository), ct, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        try
        {
            await EnsureSuccessAsync(response, $"GET blob {repository}@{digest}", ct).ConfigureAwait(false);
            return new ResponseStream(response, await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The repository's tags, in the registry's order; empty when the repository does not exist.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Api($"{repository}/tags/list")), PullScope(repository), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        await EnsureSuccessAsync(response, $"GET tags of {repository}", ct).ConfigureAwait(false);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        return document.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? [.. tags.EnumerateArray().Select(t => t.GetString()!)]
            : [];
    }

    /// <summary>The repositories the registry holds (<c>/v2/_catalog</c>; registries may restrict it).</summary>
    public async Task<IReadOnlyList<string>> CatalogAsync(CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Api("_catalog?n=1000")), "registry:catalog:*", ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "GET catalog", ct).ConfigureAwait(false);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        return document.RootElement.TryGetProperty("repositories", out var repositories) && repositories.ValueKind == JsonValueKind.Array
            ? [.. repositories.EnumerateArray().Select(r => r.GetString()!)]
            : [];
    }

    /// <summary>The digest (<c>sha256:…</c>) of <paramref name="content"/>.</summary>
    public static string DigestOf(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static string PullScope(string repository) => $"repository:{repository}:pull";

    private static string PushScope(string repository) => $"repository:{repository}:pull,push";

    private Uri Api(string path) => new(Endpoint.ApiBase, path);

    // Sends once; on a 401 answers the challenge (Basic or Bearer) and sends again, keeping the header for the scope.
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, string scope, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var response = await SendOnceAsync(create, scope, completion, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        response.Dispose();
        _authorization[scope] = await AnswerAsync(challenge, scope, ct).ConfigureAwait(false);
        response = await SendOnceAsync(create, scope, completion, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw new RegistryException(
                $"{Endpoint.Host} refused the login{(_credential?.Username is { } user ? $" of {user}" : "")} for {scope} (HTTP 401).",
                $"Check the login: 'docker login {Endpoint.Host}', or REGISTRY_USERNAME and REGISTRY_PASSWORD.", 401);
        }

        return response;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> create, string scope, HttpCompletionOption completion, CancellationToken ct)
    {
        using var request = create();
        if (_authorization.TryGetValue(scope, out var header))
        {
            request.Headers.Authorization = header;
        }

        try
        {
            return await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new RegistryException(
                $"The registry {Endpoint.Host} did not answer {request.Method} {request.RequestUri} ({ex.Message}).",
                Endpoint.Scheme == "http"
                    ? "Check that the registry runs and listens on that address."
                    : $"Check that the registry runs and serves HTTPS; a registry that speaks only plain HTTP and is not on this machine needs --insecure-registry.",
                null, ex);
        }
    }

    private async Task<AuthenticationHeaderValue> AnswerAsync(AuthenticationHeaderValue? challenge, string scope, CancellationToken ct)
    {
        var scheme = challenge?.Scheme;
        if (string.Equals(scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return _credential?.BasicValue is { } basic
                ? new AuthenticationHeaderValue("Basic", basic)
                : throw new RegistryException($"{Endpoint.Host} asks for a login (Basic) and none is configured.", $"Run 'docker login {Endpoint.Host}', or set REGISTRY_USERNAME and REGISTRY_PASSWORD.", 401);
        }

        if (!string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new RegistryException($"{Endpoint.Host} answered 401 with an authentication scheme this client does not speak: '{challenge?.ToString() ?? "(none)"}'.", null, 401);
        }

        var parameters = ChallengeParameters(challenge!.Parameter ?? "");
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new RegistryException($"{Endpoint.Host} asks for a token but names no realm to get it from: '{challenge}'.", null, 401);
        }

        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        // The challenge names the scope the request needs; ours stands in when it names none.
        query.Add("scope=" + Uri.EscapeDataString(parameters.TryGetValue("scope", out var asked) && asked.Length > 0 ? asked : scope));
        var builder = new UriBuilder(realmUri) { Query = string.Join('&', query) };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (_credential?.BasicValue is { } login)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", login);
        }
        else if (_credential?.IdentityToken is { } refresh)
        {
            request.Method = HttpMethod.Post;
            request.RequestUri = realmUri;
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = refresh,
                ["service"] = service ?? Endpoint.Host,
                ["scope"] = scope,
                ["client_id"] = "openshell-dev",
            });
        }

        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException(
                $"The token service {realmUri.Host} refused a token for {scope} (HTTP {(int)response.StatusCode}).",
                $"Check the login for {Endpoint.Host}: 'docker login {Endpoint.Host}', or REGISTRY_USERNAME and REGISTRY_PASSWORD.", (int)response.StatusCode);
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        var token = document.RootElement.TryGetProperty("token", out var t) && t.GetString() is { Length: > 0 } a ? a
            : document.RootElement.TryGetProperty("access_token", out var at) && at.GetString() is { Length: > 0 } b ? b
            : throw new RegistryException($"The token service {realmUri.Host} answered without a token for {scope}.", null, (int)response.StatusCode);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Splits <c>realm="…",service="…",scope="…"</c> (values may hold commas inside quotes).</summary>
    internal static Dictionary<string, string> ChallengeParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var eq = text.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var key = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                end = end < 0 ? text.Length : end;
                value = text[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = text.IndexOf(',', i);
                end = end < 0 ? text.Length : end;
                value = text[i..end].Trim();
                i = end;
            }

            result[key] = value;
        }

        return result;
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        var detail = ErrorDetail(body);
        throw new RegistryException(
            $"{Endpoint.Host} refused {what}: HTTP {(int)response.StatusCode}{(detail is null ? "" : $" ({detail})")}.",
            response.StatusCode is HttpStatusCode.Forbidden ? $"The login for {Endpoint.Host} may not push to this repository: check its permissions." : null,
            (int)response.StatusCode);
    }

    // The distribution spec's error body: {"errors":[{"code":"…","message":"…"}]}.
    private static string? ErrorDetail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                ? string.Join("; ", errors.EnumerateArray().Select(e =>
                    $"{(e.TryGetProperty("code", out var c) ? c.GetString() : "")}: {(e.TryGetProperty("message", out var m) ? m.GetString() : "")}"))
                : null;
        }
        catch (JsonException)
        {
            return body.Length is > 0 and < 200 ? body.Trim() : null;
        }
    }

    private static string? MediaTypeInContent(byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.TryGetProperty("mediaType", out var type) ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A response body that disposes its response with it.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
