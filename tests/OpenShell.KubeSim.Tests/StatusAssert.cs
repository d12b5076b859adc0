using System.Text.Json;
using k8s.Autorest;

namespace OpenShell.KubeSim.Tests;

/// <summary>Asserts that a call failed with a Kubernetes <c>Status</c> body of the expected code and reason.</summary>
internal static class StatusAssert
{
    public static async Task<JsonElement> FailsWithAsync(int code, string reason, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(code, (int)e.Response.StatusCode);
        var status = JsonDocument.Parse(e.Response.Content).RootElement;
        Assert.Equal("Status", status.GetProperty("kind").GetString());
        Assert.Equal("v1", status.GetProperty("apiVersion").GetString());
        Assert.Equal("Failure", status.GetProperty("status").GetString());
        Assert.Equal(reason, status.GetProperty("reason").GetString());
        Assert.Equal(code, status.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("message").GetString()));
        return status;
    }
}
