using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.ImageAssembly;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.Tests.ImageAssembly;

/// <summary>A push the registry refuses or cannot take fails naming the registry and the fix, and never stores the manifest.</summary>
public sealed class AppImagePushFailureTests
{
    public static TheoryData<string, HttpStatusCode, string> Refusals => new()
    {
        { "POST", HttpStatusCode.Forbidden, "POST blob upload" },
        { "PUT blob", HttpStatusCode.BadRequest, "PUT blob" },
        { "PUT manifest", HttpStatusCode.BadRequest, "PUT manifest" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_request_fails_the_push_with_the_registry_named(string refused, HttpStatusCode status, string named)
    {
        var handler = new Registry(refused, status);
        using var registry = new RegistryClient(RegistryEndpoint.For("127.0.0.1:5999"), handler: handler);
        var image = await ImageAsync();

        var error = await Assert.ThrowsAsync<RegistryException>(() => AppImageAssembler.PushAsync(registry, image, NullLogger.Instance));
        var explained = AppImageAssembler.Explain(error, image.Reference.ToString());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:5999", explained.Message, StringComparison.Ordinal);
        Assert.Contains("registry", explained.Message, StringComparison.Ordinal);
        Assert.Contains("openshell-dev deploy", explained.Remedy, StringComparison.Ordinal);
        Assert.Equal(refused == "PUT manifest" ? 1 : 0, handler.ManifestPuts);
        Assert.Null(handler.Stored);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_is_named()
    {
        var port = OpenShell.DevLoop.Cluster.GatewayPortStore.PickFreePort(Random.Shared);
        using var registry = new RegistryClient(RegistryEndpoint.For($"127.0.0.1:{port}"));

        var error = await Assert.ThrowsAsync<RegistryException>(async () => await AppImageAssembler.PushAsync(registry, await ImageAsync(), NullLogger.Instance));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Null(error.StatusCode);
    }

    private static async Task<AssembledImage> ImageAsync()
    {
        using var publish = AppLayerWriterTests.Publish();
        return await EmptyBaseImages.AssembleAsync(publish.Path, ImageReference.Parse("127.0.0.1:5999/openshell/gateway:dev"));
    }

    // An empty registry that refuses one kind of request.
    private sealed class Registry(string refused, HttpStatusCode status) : HttpMessageHandler
    {
        public int ManifestPuts { get; private set; }

        public string? Stored { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var kind = request.Method == HttpMethod.Post ? "POST"
                : request.Method == HttpMethod.Put && path.Contains("/manifests/", StringComparison.Ordinal) ? "PUT manifest"
                : request.Method == HttpMethod.Put ? "PUT blob"
                : request.Method.Method;
            if (kind == "PUT manifest")
            {
                ManifestPuts++;
            }

            if (kind == refused)
            {
                return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("""{"errors":[{"code":"DENIED","message":"refused"}]}""", Encoding.UTF8, "application/json") });
            }

            var response = kind switch
            {
                "POST" => new HttpResponseMessage(HttpStatusCode.Accepted) { Headers = { Location = new Uri("/v2/openshell/gateway/blobs/uploads/1", UriKind.Relative) } },
                "PUT blob" => new HttpResponseMessage(HttpStatusCode.Created),
                "PUT manifest" => new HttpResponseMessage(HttpStatusCode.Created),
                _ => new HttpResponseMessage(HttpStatusCode.NotFound),
            };
            if (kind == "PUT manifest")
            {
                Stored = path;
            }

            return Task.FromResult(response);
        }
    }
}
