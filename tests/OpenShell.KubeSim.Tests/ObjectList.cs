using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

/// <summary>Any list response (<c>kind: XList</c>), for GenericClient's list calls.</summary>
public sealed class ObjectList<T> : IKubernetesObject<V1ListMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public List<T> Items { get; set; } = [];
}
