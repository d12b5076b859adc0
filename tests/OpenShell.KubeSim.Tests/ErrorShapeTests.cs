using k8s;
using System.Net;
using System.Text;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

/// <summary>Failures come back as <c>Status</c> objects shaped like the real API server's.</summary>
public sealed class ErrorShapeTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Missing_object_is_404_NotFound_with_details()
    {
        var status = await StatusAssert.FailsWithAsync(404, "NotFound", () => sim.Client.AppsV1.ReadNamespacedStatefulSetAsync("nope", "default"));
        Assert.Equal("statefulsets.apps \"nope\" not found", status.GetProperty("message").GetString());
        Assert.Equal("nope", status.GetProperty("details").GetProperty("name").GetString());
        Assert.Equal("apps", status.GetProperty("details").GetProperty("group").GetString());
        Assert.Equal("statefulsets", status.GetProperty("details").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Object_in_a_missing_namespace_is_404()
    {
        var status = await StatusAssert.FailsWithAsync(404, "NotFound",
            () => sim.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, "no-such-namespace"));
        Assert.Equal("namespaces \"no-such-namespace\" not found", status.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Duplicate_create_is_409_AlreadyExists()
    {
        var name = TestNames.Unique("dup");
        await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, "default");
        var status = await StatusAssert.FailsWithAsync(409, "AlreadyExists",
            () => sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, "default"));
        Assert.Equal($"configmaps \"{name}\" already exists", status.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Stale_resource_version_is_409_Conflict()
    {
        var name = TestNames.Unique("stale");
        var created = await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, "default");
        await sim.Client.CoreV1.ReplaceNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, ResourceVersion = created.Metadata.ResourceVersion }, Data = new Dictionary<string, string> { ["a"] = "1" } }, name, "default");
        var status = await StatusAssert.FailsWithAsync(409, "Conflict",
            () => sim.Client.CoreV1.ReplaceNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, ResourceVersion = created.Metadata.ResourceVersion } }, name, "default"));
        Assert.Contains("the object has been modified", status.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> InvalidStatefulSets { get; } = new()
    {
        { """{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"no-selector"},"spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""", "spec.selector" },
        { """{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"mismatch"},"spec":{"selector":{"matchLabels":{"a":"x"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""", "spec.template.metadata.labels" },
        { """{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"no-containers"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{}}}}""", "spec.template.spec.containers" },
        { """{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"Upper_Case"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""", "metadata.name" },
    };

    [Theory]
    [MemberData(nameof(InvalidStatefulSets))]
    public async Task Invalid_object_is_422_Invalid_naming_the_field(string body, string field)
    {
        using var http = SimulatorHttp.CreateClient(sim.Server);
        using var response = await http.PostAsync("/apis/apps/v1/namespaces/default/statefulsets", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        var status = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Invalid", status.GetProperty("reason").GetString());
        Assert.Equal("StatefulSet", status.GetProperty("details").GetProperty("kind").GetString());
        Assert.Contains(status.GetProperty("details").GetProperty("causes").EnumerateArray(), c => c.GetProperty("field").GetString() == field);
        Assert.StartsWith("StatefulSet.apps \"", status.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_without_the_token_is_401_but_health_and_version_are_public()
    {
        using var http = SimulatorHttp.CreateClient(sim.Server, authenticated: false);
        using var denied = await http.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Contains("\"reason\":\"Unauthorized\"", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

        Assert.Equal("ok", await http.GetStringAsync("/readyz"));
        Assert.Equal("ok", await http.GetStringAsync("/livez"));
        Assert.Contains("\"gitVersion\":\"v1.35", await http.GetStringAsync("/version"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_json_is_400_and_unknown_resource_is_404_and_unknown_patch_type_is_415()
    {
        using var http = SimulatorHttp.CreateClient(sim.Server);
        using var bad = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"reason\":\"BadRequest\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknown = await http.GetAsync("/apis/apps/v1/namespaces/default/deployments");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var patch = await http.PatchAsync("/api/v1/namespaces/default", new StringContent("{}", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, patch.StatusCode);
    }
}
