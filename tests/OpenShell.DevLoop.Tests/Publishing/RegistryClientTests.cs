using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>The registry client's authentication and error handling against a fake registry.</summary>
public sealed class RegistryClientTests
{
    private const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"sha256:00"},"layers":[]}""";

    [Fact]
    public async Task The_bearer_flow_gets_a_token_from_the_realm_with_the_login_and_sends_it()
    {
        var handler = new FakeRegistryHandler(request =>
        {
            if (request.RequestUri!.Host == "auth.example.test")
            {
                return request.Headers.Authorization?.Scheme == "Basic"
                    ? FakeRegistryHandler.Status(HttpStatusCode.OK, """{"token":"t0ken"}""")
                    : FakeRegistryHandler.Status(HttpStatusCode.Unauthorized);
            }

            if (request.Headers.Authorization is { Scheme: "Bearer", Parameter: "t0ken" })
            {
                var ok = FakeRegistryHandler.Status(HttpStatusCode.OK, Manifest);
                ok.Content.Headers.ContentType = new MediaTypeHeaderValue(ManifestMediaTypes.DockerManifest);
                return ok;
            }

            var challenge = FakeRegistryHandler.Status(HttpStatusCode.Unauthorized);
            challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer",
                "realm=\"https://auth.example.test/token\",service=\"registry.example.test\",scope=\"repository:team/openshell-cluster:pull\""));
            return challenge;
        });
        using var client = new RegistryClient(new RegistryEndpoint("registry.example.test", "https"), new RegistryCredential("me", "secret"), handler);

        var manifest = await client.GetManifestAsync("team/openshell-cluster", "dev");
        await client.GetManifestAsync("team/openshell-cluster", "dev");

        Assert.NotNull(manifest);
        Assert.Equal(ManifestMediaTypes.DockerManifest, manifest.MediaType);
        Assert.Equal(RegistryClient.DigestOf(Encoding.UTF8.GetBytes(Manifest)), manifest.Digest);
        Assert.Equal(Encoding.UTF8.GetByteCount(Manifest), manifest.Size);
        var token = Assert.Single(handler.Requests, r => r.Uri.Host == "auth.example.test");
        Assert.Equal("?service=registry.example.test&scope=repository%3Ateam%2Fopenshell-cluster%3Apull", token.Uri.Query);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("me:secret")), token.Authorization);
        // Challenge, retry with the token, then the token is reused without a new challenge.
        Assert.Equal([null, "Bearer t0ken", "Bearer t0ken"], handler.Requests.Where(r => r.Uri.Host != "auth.example.test").Select(r => r.Authorization));
    }

    [Fact]
    public async Task Without_a_login_the_token_is_asked_for_anonymously()
    {
        var handler = new FakeRegistryHandler(request =>
        {
            if (request.RequestUri!.Host == "auth.example.test")
            {
                return FakeRegistryHandler.Status(HttpStatusCode.OK, """{"access_token":"anon"}""");
            }

            if (request.Headers.Authorization?.Parameter == "anon")
            {
                return FakeRegistryHandler.Status(HttpStatusCode.NotFound);
            }

            var challenge = FakeRegistryHandler.Status(HttpStatusCode.Unauthorized);
            challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"https://auth.example.test/token\",service=\"r\""));
            return challenge;
        });
        using var client = new RegistryClient(new RegistryEndpoint("r.example.test", "https"), null, handler);

        Assert.False(await client.BlobExistsAsync("a/b", "sha256:11"));
        var token = Assert.Single(handler.Requests, r => r.Uri.Host == "auth.example.test");
        Assert.Null(token.Authorization);
        Assert.Contains("scope=repository%3Aa%2Fb%3Apull", token.Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_basic_challenge_is_answered_with_the_login()
    {
        var handler = new FakeRegistryHandler(request =>
        {
            if (request.Headers.Authorization?.Scheme == "Basic")
            {
                return FakeRegistryHandler.Status(HttpStatusCode.OK, """{"tags":["dev","dev-amd64"]}""");
            }

            var challenge = FakeRegistryHandler.Status(HttpStatusCode.Unauthorized);
            challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Basic", "realm=\"registry\""));
            return challenge;
        });
        using var client = new RegistryClient(new RegistryEndpoint("r", "https"), new RegistryCredential("u", "p"), handler);

        Assert.Equal(["dev", "dev-amd64"], await client.ListTagsAsync("x/y"));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")), handler.Requests[^1].Authorization);
    }

    public static TheoryData<HttpStatusCode, string, RegistryCredential?, string> Refusals => new()
    {
        // A login the registry keeps refusing.
        { HttpStatusCode.Unauthorized, "Basic", new RegistryCredential("u", "wrong"), "refused the login of u" },
        // A Basic challenge and no login at all.
        { HttpStatusCode.Unauthorized, "Basic", null, "asks for a login (Basic) and none is configured" },
        // The token service refuses.
        { HttpStatusCode.Unauthorized, "Bearer", new RegistryCredential("u", "p"), "The token service auth.example.test refused a token" },
        // The registry's error body is quoted.
        { HttpStatusCode.BadRequest, "", null, "HTTP 400 (MANIFEST_BLOB_UNKNOWN: blob unknown to registry)" },
        { HttpStatusCode.Forbidden, "", null, "HTTP 403" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusals_name_the_registry_and_the_cause(HttpStatusCode status, string scheme, RegistryCredential? login, string expected)
    {
        var handler = new FakeRegistryHandler(request =>
        {
            if (request.RequestUri!.Host == "auth.example.test")
            {
                return FakeRegistryHandler.Status(HttpStatusCode.Forbidden);
            }

            var response = FakeRegistryHandler.Status(status, """{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry"}]}""");
            if (scheme.Length > 0)
            {
                response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue(scheme, "realm=\"https://auth.example.test/token\""));
            }

            return response;
        });
        using var client = new RegistryClient(new RegistryEndpoint("r.example.test", "https"), login, handler);

        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            client.PutManifestAsync("x/y", "dev", ManifestMediaTypes.DockerManifestList, Encoding.UTF8.GetBytes("{}")));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("r.example.test", error.Message + error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_that_stores_another_digest_than_the_content_is_an_error()
    {
        var handler = new FakeRegistryHandler(_ =>
        {
            var response = FakeRegistryHandler.Status(HttpStatusCode.Created);
            response.Headers.Add("Docker-Content-Digest", "sha256:" + new string('0', 64));
            return response;
        });
        using var client = new RegistryClient(new RegistryEndpoint("r", "https"), null, handler);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PutManifestAsync("x", "dev", ManifestMediaTypes.DockerManifestList, Encoding.UTF8.GetBytes("{}")));
        Assert.Contains("but its content's digest is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_registry_names_the_request_and_for_https_the_insecure_switch()
    {
        var handler = new FakeRegistryHandler(_ => throw new HttpRequestException("connection refused"));
        using var client = new RegistryClient(RegistryEndpoint.For("registry.internal:5000"), null, handler);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync("x", "dev"));
        Assert.Contains("did not answer GET https://registry.internal:5000/v2/x/manifests/dev (connection refused)", error.Message, StringComparison.Ordinal);
        Assert.Contains("--insecure-registry", error.Remedy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:5000", false, "http")]
    [InlineData("localhost:5123", false, "http")]
    [InlineData("[::1]:5000", false, "http")]
    [InlineData("127.9.9.9", false, "http")]
    [InlineData("ghcr.io", false, "https")]
    [InlineData("10.0.0.5:5000", false, "https")]
    [InlineData("10.0.0.5:5000", true, "http")]
    [InlineData("localhost.example.com", false, "https")]
    public void Plain_http_only_for_loopback_or_when_asked(string host, bool insecure, string scheme) =>
        Assert.Equal(scheme, RegistryEndpoint.For(host, insecure).Scheme);

    [Fact]
    public void Challenge_parameters_keep_commas_inside_quotes()
    {
        var parameters = RegistryClient.ChallengeParameters("realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:a/b:pull,push\"");
        Assert.Equal("https://ghcr.io/token", parameters["realm"]);
        Assert.Equal("ghcr.io", parameters["service"]);
        Assert.Equal("repository:a/b:pull,push", parameters["scope"]);
    }
}
