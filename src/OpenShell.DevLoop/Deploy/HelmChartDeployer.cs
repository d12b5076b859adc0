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

    /// <summary>Reads the HelmChart as JSON.</summary>
    public static async Task<JsonObject> ReadAsync(IKubernetes kube, CancellationToken ct = default)
    {
        object raw;
        try
        {
            raw = await kube.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, Namespace, Plural, Name, ct).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new DeployException(DeployStep.HelmUpgrade,
                $"HelmChart {Namespace}/{Name} does not exist in the cluster; the cluster image installs it at start.", ex)
            {
                Action = Errors.RemedyAction.RecreateCluster,
            };
        }

        return JsonSerializer.SerializeToNode(raw) as JsonObject
            ?? throw new DeployException(DeployStep.HelmUpgrade, $"HelmChart {Namespace}/{Name} could not be read as an object.");
    }

    /// <summary>Updates the HelmChart with <paramref name="chart"/> and <paramref name="values"/> when they differ from what it holds.</summary>
    public static async Task<HelmChartUpdate> ApplyAsync(IKubernetes kube, PackagedChart chart, GatewayValues values, CancellationToken ct = default)
    {
        var current = await ReadAsync(kube, ct).ConfigureAwait(false);
        var spec = current["spec"] as JsonObject ?? [];
        var currentValues = spec["valuesContent"]?.GetValue<string>();
        var currentContent = spec["chartContent"]?.GetValue<string>();
        var newValues = HelmValuesEditor.Apply(currentValues, values);
        var newContent = Convert.ToBase64String(await File.ReadAllBytesAsync(chart.Path, ct).ConfigureAwait(false));
        var image = ImageOf(newValues);
        if (newValues == currentValues && newContent == currentContent)
        {
            return new HelmChartUpdate(false, null, image);
        }

        var previousJob = await ReadJobAsync(kube, JobName(current), ct).ConfigureAwait(false);
        var patch = new JsonObject { ["spec"] = new JsonObject { ["chartContent"] = newContent, ["valuesContent"] = newValues } };
        await kube.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, Namespace, Plural, Name, cancellationToken: ct).ConfigureAwait(false);
        return new HelmChartUpdate(true, previousJob?.Metadata?.Uid, image);
    }

    /// <summary>The image the values select: <c>repository@digest</c>, else <c>repository:tag</c>.</summary>
    public static string ImageOf(string? valuesContent)
    {
        var repository = HelmValuesEditor.Read(valuesContent, "image", "repository") ?? "";
        return HelmValuesEditor.Read(valuesContent, "image", "digest") is { } digest
            ? $"{repository}@{digest}"
            : $"{repository}:{HelmValuesEditor.Read(valuesContent, "image", "tag") ?? "latest"}";
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

    /// <summary>The name of the HelmChart's helm job.</summary>
    public static string JobName(JsonObject helmChart) =>
        helmChart["status"]?["jobName"]?.GetValue<string>() is { Length: > 0 } name ? name : $"helm-install-{Name}";

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
