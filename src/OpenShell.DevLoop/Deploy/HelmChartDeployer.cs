using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.Pki;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Applies the chart through k3s's helm-controller: the <c>openshell</c> HelmChart (kube-system, helm.cattle.io/v1) gets the
/// packaged chart as <c>chartContent</c> and the edited <c>valuesContent</c>. When both are what the object already holds,
/// it is not touched, so no Helm revision is made and nothing rolls.
/// </summary>
internal static class HelmChartDeployer
{
    public const string Group = "helm.cattle.io";
    public const string Version = "v1";
    public const string Plural = "helmcharts";
    public const string Namespace = "kube-system";
    public const string Name = "openshell";

    /// <summary>Reads OpenShell's HelmChart as JSON.</summary>
    public static Task<JsonObject> ReadAsync(IKubernetes kube, CancellationToken ct = default) => ReadAsync(kube, Name, ct);

    /// <summary>Reads the HelmChart <paramref name="release"/> as JSON.</summary>
    public static async Task<JsonObject> ReadAsync(IKubernetes kube, string release, CancellationToken ct = default)
    {
        object raw;
        try
        {
            raw = await kube.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, Namespace, Plural, release, ct).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new DeployException(DeployStep.HelmUpgrade,
                $"HelmChart {Namespace}/{release} does not exist in the cluster; the cluster image installs it at start.", ex)
            {
                Action = Errors.RemedyAction.RecreateCluster,
            };
        }

        return JsonSerializer.SerializeToNode(raw) as JsonObject
            ?? throw new DeployException(DeployStep.HelmUpgrade, $"HelmChart {Namespace}/{release} could not be read as an object.");
    }

    /// <summary>The HelmChart annotation holding the helm component's fingerprint that its chart and values were applied from.</summary>
    public const string FingerprintAnnotation = "dev.openshell/fingerprint";

    /// <summary>
    /// Updates the HelmChart <paramref name="release"/> with <paramref name="chart"/> and <paramref name="values"/> when they
    /// differ from what it holds.
    /// </summary>
    public static Task<HelmChartUpdate> ApplyAsync(IKubernetes kube, string release, PackagedChart chart, ChartValues values, CancellationToken ct = default) =>
        ApplyAsync(kube, release, chart, values, fingerprint: null, ct);

    /// <summary>
    /// Updates the HelmChart <paramref name="release"/> with <paramref name="chart"/> and <paramref name="values"/> when they
    /// differ from what it holds, and its <see cref="FingerprintAnnotation"/> with <paramref name="fingerprint"/> (when given)
    /// in the same request; an annotation alone is updated without touching the spec, so it makes no Helm revision.
    /// </summary>
    public static async Task<HelmChartUpdate> ApplyAsync(IKubernetes kube, string release, PackagedChart chart, ChartValues values, string? fingerprint, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(values);
        var current = await ReadAsync(kube, release, ct).ConfigureAwait(false);
        var spec = current["spec"] as JsonObject ?? [];
        var currentValues = spec["valuesContent"]?.GetValue<string>();
        var currentContent = spec["chartContent"]?.GetValue<string>();
        var newValues = HelmValuesEditor.Apply(currentValues, values, release);
        var newContent = Convert.ToBase64String(await File.ReadAllBytesAsync(chart.Path, ct).ConfigureAwait(false));
        var images = values.Images.ToDictionary(i => i.ValuesKey, i => ImageOf(newValues, i.ValuesKey), StringComparer.Ordinal);
        var annotation = fingerprint is not null && FingerprintOf(current) != fingerprint
            ? new JsonObject { ["annotations"] = new JsonObject { [FingerprintAnnotation] = fingerprint } }
            : null;
        if (newValues == currentValues && newContent == currentContent)
        {
            if (annotation is not null)
            {
                await kube.CustomObjects.PatchNamespacedCustomObjectAsync(
                    new V1Patch(new JsonObject { ["metadata"] = annotation }.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, Namespace, Plural, release,
                    cancellationToken: ct).ConfigureAwait(false);
            }

            return new HelmChartUpdate(false, null, images);
        }

        var previousJob = await ReadJobAsync(kube, JobName(current, release), ct).ConfigureAwait(false);
        await DeployFaultPoints.ReachAsync(DeployFaultPoints.ChartUpdate, ct).ConfigureAwait(false);
        var patch = new JsonObject { ["spec"] = new JsonObject { ["chartContent"] = newContent, ["valuesContent"] = newValues } };
        if (annotation is not null)
        {
            patch["metadata"] = annotation;
        }

        await kube.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, Namespace, Plural, release, cancellationToken: ct).ConfigureAwait(false);
        return new HelmChartUpdate(true, previousJob?.Metadata?.Uid, images);
    }

    /// <summary>The <see cref="FingerprintAnnotation"/> of a HelmChart read as JSON, or null when it has none.</summary>
    public static string? FingerprintOf(JsonObject helmChart)
    {
        ArgumentNullException.ThrowIfNull(helmChart);
        return helmChart["metadata"]?["annotations"]?[FingerprintAnnotation] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }

    /// <summary>The image the values select under <c>image</c>: <c>repository@digest</c>, else <c>repository:tag</c>.</summary>
    public static string ImageOf(string? valuesContent) => ImageOf(valuesContent, Components.ComponentDefaults.ValuesKey);

    /// <summary>The image the values select under <paramref name="valuesKey"/> (dots nest): <c>repository@digest</c>, else <c>repository:tag</c>.</summary>
    public static string ImageOf(string? valuesContent, string valuesKey)
    {
        ArgumentNullException.ThrowIfNull(valuesKey);
        string[] key = valuesKey.Split('.');
        var repository = HelmValuesEditor.Read(valuesContent, [.. key, "repository"]) ?? "";
        return HelmValuesEditor.Read(valuesContent, [.. key, "digest"]) is { } digest
            ? $"{repository}@{digest}"
            : $"{repository}:{HelmValuesEditor.Read(valuesContent, [.. key, "tag"]) ?? "latest"}";
    }

    /// <summary>Creates the SSH handshake secret when it is missing (the chart refers to it).</summary>
    public static async Task<bool> EnsureSshHandshakeSecretAsync(IKubernetes kube, CancellationToken ct = default)
    {
        try
        {
            await kube.CoreV1.ReadNamespacedSecretAsync(ClusterSecretNames.SshHandshake, ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
            return false;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            var value = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            var secret = new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = ClusterSecretNames.SshHandshake,
                    NamespaceProperty = ClusterSecretNames.Namespace,
                    Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "openshell-dev" },
                },
                Type = "Opaque",
                Data = new Dictionary<string, byte[]> { [ClusterSecretNames.SshHandshakeKey] = Encoding.ASCII.GetBytes(value) },
            };
            try
            {
                await kube.CoreV1.CreateNamespacedSecretAsync(secret, ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException conflict) when (conflict.Response.StatusCode == HttpStatusCode.Conflict)
            {
                return false;
            }

            return true;
        }
    }

    /// <summary>The name of OpenShell's HelmChart's helm job.</summary>
    public static string JobName(JsonObject helmChart) => JobName(helmChart, Name);

    /// <summary>The name of the helm job of the HelmChart <paramref name="release"/>.</summary>
    public static string JobName(JsonObject helmChart, string release)
    {
        ArgumentNullException.ThrowIfNull(helmChart);
        return helmChart["status"]?["jobName"]?.GetValue<string>() is { Length: > 0 } name ? name : $"helm-install-{release}";
    }

    /// <summary>The helm job, or null.</summary>
    public static async Task<V1Job?> ReadJobAsync(IKubernetes kube, string jobName, CancellationToken ct)
    {
        try
        {
            return await kube.BatchV1.ReadNamespacedJobAsync(jobName, Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
