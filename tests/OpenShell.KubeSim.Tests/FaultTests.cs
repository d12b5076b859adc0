using System.Diagnostics;
using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

/// <summary>Fault injection from the in-process API and from the admin endpoint.</summary>
public sealed class FaultTests
{
    public static TheoryData<int, string> FailureCodes { get; } = new()
    {
        { 500, "InternalError" },
        { 429, "TooManyRequests" },
        { 409, "Conflict" },
    };

    [Theory]
    [MemberData(nameof(FailureCodes))]
    public async Task FailNext_fails_exactly_the_next_matching_requests(int code, string reason)
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var client = sim.CreateClient();
        sim.Faults.FailNext("/api/v1/namespaces/default/secrets", code, 2);

        // Other paths are unaffected.
        await client.CoreV1.ListNamespacedConfigMapAsync("default");
        for (var i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedSecretAsync("default"));
            Assert.Equal(code, (int)e.Response.StatusCode);
            Assert.Contains($"\"reason\":\"{reason}\"", e.Response.Content, StringComparison.Ordinal);
            if (code == 429)
            {
                Assert.Equal("1", e.Response.Headers.Single(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value.Single());
            }
        }

        await client.CoreV1.ListNamespacedSecretAsync("default");
    }

    [Fact]
    public async Task FailNext_with_a_method_fails_only_that_verb()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var client = sim.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "default");
        sim.Faults.FailNext("/api/v1/namespaces/default/configmaps/c", 409, 1, "PATCH");
        var patch = new V1Patch("""{"data":{"k":"v"}}""", V1Patch.PatchType.MergePatch);

        // The read before the update is unaffected; the update fails once, then goes through.
        await client.CoreV1.ReadNamespacedConfigMapAsync("c", "default");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedConfigMapAsync(patch, "c", "default"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Equal("v", (await client.CoreV1.PatchNamespacedConfigMapAsync(patch, "c", "default")).Data["k"]);
    }

    [Fact]
    public async Task Delay_slows_matching_requests_until_reset()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var client = sim.CreateClient();
        await client.CoreV1.ListNamespacedSecretAsync("default"); // warm up the connection
        sim.Faults.Delay("/api/v1/namespaces/default/secrets", TimeSpan.FromMilliseconds(400));

        var slow = Stopwatch.StartNew();
        await client.CoreV1.ListNamespacedSecretAsync("default");
        Assert.True(slow.Elapsed >= TimeSpan.FromMilliseconds(380), $"took {slow.Elapsed}");

        sim.Faults.Reset();
        var fast = Stopwatch.StartNew();
        await client.CoreV1.ListNamespacedSecretAsync("default");
        Assert.True(fast.Elapsed < TimeSpan.FromMilliseconds(380), $"took {fast.Elapsed}");
    }

    [Fact]
    public async Task Admin_endpoint_injects_and_resets_faults()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var client = sim.CreateClient();
        using var http = SimulatorHttp.CreateClient(sim);

        using var injected = await http.PostAsync("/_sim/faults", Json("""{"failNext":{"pathPrefix":"/api/v1/namespaces","statusCode":503,"count":5},"neverConverge":true}"""));
        Assert.Equal(HttpStatusCode.NoContent, injected.StatusCode);
        Assert.True(sim.Faults.RolloutsNeverConverge);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Response.StatusCode);

        using var reset = await http.PostAsync("/_sim/faults", Json("""{"reset":true}"""));
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.False(sim.Faults.RolloutsNeverConverge);
        await client.CoreV1.ListNamespaceAsync();

        using var bad = await http.PostAsync("/_sim/faults", Json("""{"explode":true}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("unknown fault \\u0022explode\\u0022", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var anonymous = SimulatorHttp.CreateClient(sim, authenticated: false);
        using var denied = await anonymous.PostAsync("/_sim/faults", Json("""{"reset":true}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
