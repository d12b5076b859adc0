using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

/// <summary>k3s's HelmChart (helm.cattle.io/v1), the fields the tests use.</summary>
public sealed class HelmChart : IKubernetesObject<V1ObjectMeta>
{
    public const string KubeApiVersion = "v1";
    public const string KubeGroup = "helm.cattle.io";
    public const string KubeKind = "HelmChart";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "helm.cattle.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public HelmChartSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public HelmChartStatus? Status { get; set; }
}

public sealed class HelmChartSpec
{
    [JsonPropertyName("chart")]
    public string? Chart { get; set; }

    [JsonPropertyName("targetNamespace")]
    public string? TargetNamespace { get; set; }

    [JsonPropertyName("valuesContent")]
    public string? ValuesContent { get; set; }
}

public sealed class HelmChartStatus
{
    [JsonPropertyName("jobName")]
    public string? JobName { get; set; }
}
