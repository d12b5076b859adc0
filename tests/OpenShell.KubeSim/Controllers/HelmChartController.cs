using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>
/// Models k3s's helm-controller for the OpenShell chart. A created or changed HelmChart gets a fresh
/// <c>helm-install-NAME</c> Job in its own namespace (status.jobName set); when the Job completes, the chart's effect
/// is applied: the namespace <c>spec.targetNamespace</c> exists and StatefulSet <c>openshell</c> in it is created, or its
/// container image is set, from <c>spec.valuesContent</c> (<c>image.repository@image.digest</c>, else
/// <c>image.repository:image.tag</c>). Nothing else from the chart is rendered — unless a <see cref="HelmTemplate"/>
/// is given (the k3s-sim image has helm) and the simulator holds the chart: then the chart is rendered with
/// <c>helm template</c> and every object applied in the target namespace, as helm would install it.
/// </summary>
internal sealed partial class HelmChartController(ObjectStore store, HelmTemplate? helm, BackgroundWork work, ILogger logger) : IController
{
    public const string ChartLabel = "helmcharts.helm.cattle.io/chart";
    public const string ConfigHashAnnotation = "helmcharts.helm.cattle.io/configHash";
    public const string ReleaseName = "openshell";
    private const string DefaultRepository = "openshell/gateway";

    public void OnChange(StoredEvent change)
    {
        if (change.Kind == ResourceCatalog.HelmCharts)
        {
            if (change.Type == StoredEvent.Deleted)
            {
                Uninstall(change.Object);
            }
            else
            {
                EnsureJob(change.Object);
            }
        }
        else if (change.Kind == ResourceCatalog.Jobs && change.Type == StoredEvent.Modified
            && Json.Str(change.Object["metadata"]?["labels"]?[ChartLabel]) is { } chartName
            && JobController.IsComplete(change.Object) && !(change.Previous is { } before && JobController.IsComplete(before)))
        {
            Install(change.Object, chartName);
        }
    }

    public static string ConfigHash(JsonObject chart) =>
        "SHA256=" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(chart["spec"]?.ToJsonString() ?? "{}")));

    /// <summary>The image the chart's values select: <c>repository@digest</c>, else <c>repository:tag</c>.</summary>
    public static string ImageFromValues(string? valuesContent)
    {
        JsonObject? image = null;
        if (!string.IsNullOrWhiteSpace(valuesContent))
        {
            image = Yaml.ReadDocuments(valuesContent).FirstOrDefault()?["image"] as JsonObject;
        }

        var repository = Json.Str(image?["repository"]) is { Length: > 0 } repo ? repo : DefaultRepository;
        if (Json.Str(image?["digest"]) is { Length: > 0 } digest)
        {
            return $"{repository}@{digest}";
        }

        var tag = image?["tag"] is { } tagNode ? Json.Str(tagNode) ?? tagNode.ToJsonString() : "latest";
        return $"{repository}:{tag}";
    }

    private void EnsureJob(JsonObject chart)
    {
        var ns = Json.Namespace(chart);
        var name = Json.Name(chart);
        var jobName = $"helm-install-{name}";
        var hash = ConfigHash(chart);
        var job = store.Get(ResourceCatalog.Jobs, ns, jobName);
        if (job is not null && Json.Str(job["metadata"]?["annotations"]?[ConfigHashAnnotation]) == hash)
        {
            return;
        }

        if (job is not null)
        {
            store.Delete(ResourceCatalog.Jobs, ns, jobName);
        }

        var spec = chart["spec"] as JsonObject ?? [];
        var env = new JsonArray();
        foreach (var (key, field) in new[] { ("NAME", "chart"), ("VERSION", "version"), ("REPO", "repo"), ("TARGET_NAMESPACE", "targetNamespace") })
        {
            env.Add(new JsonObject { ["name"] = key, ["value"] = Json.Str(spec[field]) ?? "" });
        }

        store.Create(ResourceCatalog.Jobs, ns, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = jobName,
                ["labels"] = new JsonObject { [ChartLabel] = name },
                ["annotations"] = new JsonObject { [ConfigHashAnnotation] = hash },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "helm.cattle.io/v1",
                    ["kind"] = "HelmChart",
                    ["name"] = name,
                    ["uid"] = Json.Str(chart["metadata"]?["uid"]),
                    ["controller"] = true,
                }),
            },
            ["spec"] = new JsonObject
            {
                ["backoffLimit"] = 1000,
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [ChartLabel] = name } },
                    ["spec"] = new JsonObject
                    {
                        ["restartPolicy"] = "OnFailure",
                        ["serviceAccountName"] = $"helm-{name}",
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "helm",
                            ["image"] = "rancher/klipper-helm:simulated",
                            ["args"] = new JsonArray("install"),
                            ["env"] = env,
                        }),
                    },
                },
            },
        });
        store.Update(ResourceCatalog.HelmCharts, ns, name, current =>
        {
            var status = Json.Child(current, "status");
            status["jobName"] = jobName;
            status["conditions"] = new JsonArray(new JsonObject { ["type"] = "JobCreated", ["status"] = "True", ["reason"] = "Job created", ["message"] = $"Applying HelmChart using Job {ns}/{jobName}" });
            return current;
        }, statusOnly: true);
    }

    private void Install(JsonObject job, string chartName)
    {
        var chart = store.Get(ResourceCatalog.HelmCharts, Json.Namespace(job), chartName);
        if (chart is null || Json.Str(job["metadata"]?["annotations"]?[ConfigHashAnnotation]) != ConfigHash(chart))
        {
            return;
        }

        var target = TargetNamespace(chart);
        if (store.Get(ResourceCatalog.Namespaces, null, target) is null)
        {
            store.Create(ResourceCatalog.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = target } });
        }

        if (helm is not null)
        {
            var scratch = Directory.CreateTempSubdirectory("kubesim-helm-").FullName;
            if (helm.ChartFile(chart, scratch) is { } chartFile)
            {
                work.Schedule($"helm/{Json.Namespace(chart)}/{chartName}", TimeSpan.Zero, ct => InstallRenderedAsync(chart, chartName, target, chartFile, scratch, ct));
                return;
            }

            Directory.Delete(scratch, recursive: true);
        }

        var image = ImageFromValues(Json.Str(Json.At(chart, "spec.valuesContent")));
        if (store.Get(ResourceCatalog.StatefulSets, target, ReleaseName) is null)
        {
            store.Create(ResourceCatalog.StatefulSets, target, NewStatefulSet(chartName, Json.Namespace(chart), image));
            return;
        }

        store.Update(ResourceCatalog.StatefulSets, target, ReleaseName, sts =>
        {
            var containers = Json.At(sts, "spec.template.spec.containers") as JsonArray;
            var container = containers?.OfType<JsonObject>().FirstOrDefault(c => Json.Str(c["name"]) == ReleaseName)
                ?? containers?.OfType<JsonObject>().FirstOrDefault();
            if (container is not null)
            {
                container["image"] = image;
            }

            return sts;
        });
    }

    private async Task InstallRenderedAsync(JsonObject chart, string chartName, string target, string chartFile, string scratch, CancellationToken ct)
    {
        try
        {
            var objects = await helm!.RenderAsync(chartName, target, chartFile, Json.Str(Json.At(chart, "spec.valuesContent")), scratch, ct).ConfigureAwait(false);
            foreach (var obj in objects)
            {
                var kind = ResourceCatalog.FindByKind(Json.Str(obj["apiVersion"]) ?? "", Json.Str(obj["kind"]) ?? "");
                if (kind is null)
                {
                    LogSkipped(logger, chartName, $"{Json.Str(obj["apiVersion"])} {Json.Str(obj["kind"])} is not served by the simulator");
                    continue;
                }

                var annotations = Json.Child(Json.Metadata(obj), "annotations");
                annotations["meta.helm.sh/release-name"] = chartName;
                annotations["meta.helm.sh/release-namespace"] = target;
                Apply(kind, kind.Namespaced ? (Json.Namespace(obj) is { Length: > 0 } own ? own : target) : null, obj);
            }

            LogInstalled(logger, chartName, target, objects.Count);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KubeApiException or System.ComponentModel.Win32Exception)
        {
            LogInstallFailed(logger, chartName, e.Message);
            store.Update(ResourceCatalog.HelmCharts, Json.Namespace(chart), chartName, current =>
            {
                Json.Child(current, "status")["conditions"] = new JsonArray(new JsonObject { ["type"] = "Failed", ["status"] = "True", ["reason"] = "InstallFailed", ["message"] = e.Message });
                return current;
            }, statusOnly: true);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // Create, or replace everything but status (a no-op when nothing changed), as ManifestDeployer does.
    private void Apply(ResourceKind kind, string? ns, JsonObject obj)
    {
        var name = Json.Name(obj);
        if (store.Get(kind, ns, name) is null)
        {
            store.Create(kind, ns, obj);
            return;
        }

        store.Update(kind, ns, name, current =>
        {
            var next = (JsonObject)obj.DeepClone();
            Json.Metadata(next).Remove("resourceVersion");
            next["status"] = current["status"]?.DeepClone();
            return next;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "helmchart {Chart}: rendered with helm and applied {Count} objects in {Namespace}")]
    private static partial void LogInstalled(ILogger logger, string chart, string @namespace, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "helmchart {Chart}: skipped an object: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string chart, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "helmchart {Chart}: install failed: {Reason}")]
    private static partial void LogInstallFailed(ILogger logger, string chart, string reason);

    /// <summary>Deletes what the release installed: every object in the target namespace annotated with its name.</summary>
    private void Uninstall(JsonObject chart)
    {
        var target = TargetNamespace(chart);
        foreach (var kind in ResourceCatalog.All.Where(k => k.Namespaced && k != ResourceCatalog.Pods && k != ResourceCatalog.Events))
        {
            foreach (var obj in store.List(kind, target).Items)
            {
                if (Json.Str(obj["metadata"]?["annotations"]?["meta.helm.sh/release-name"]) != Json.Name(chart))
                {
                    continue;
                }

                try
                {
                    store.Delete(kind, target, Json.Name(obj));
                }
                catch (KubeApiException e) when (e.Code == 404)
                {
                    // Deleted concurrently (or with its owner).
                }
            }
        }
    }

    private static string TargetNamespace(JsonObject chart) =>
        Json.Str(Json.At(chart, "spec.targetNamespace")) is { Length: > 0 } target ? target : Json.Namespace(chart);

    private static JsonObject NewStatefulSet(string chartName, string chartNamespace, string image)
    {
        JsonObject SelectorLabels() => new() { ["app.kubernetes.io/name"] = ReleaseName, ["app.kubernetes.io/instance"] = chartName };
        var labels = SelectorLabels();
        labels["app.kubernetes.io/managed-by"] = "Helm";
        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = ReleaseName,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { ["meta.helm.sh/release-name"] = chartName, ["meta.helm.sh/release-namespace"] = chartNamespace },
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["serviceName"] = ReleaseName,
                ["selector"] = new JsonObject { ["matchLabels"] = SelectorLabels() },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = SelectorLabels() },
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(new JsonObject { ["name"] = ReleaseName, ["image"] = image }),
                    },
                },
            },
        };
    }
}
