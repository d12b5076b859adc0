using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>
/// Models k3s's deploy controller: every <c>*.yaml</c>/<c>*.yml</c> in the manifests folder is applied (create, or
/// replace everything but status) at start and whenever its content changes; namespaced objects without a namespace go
/// to kube-system. Removing a file deletes nothing.
/// </summary>
internal sealed partial class ManifestDeployer(ObjectStore store, string directory, ILogger logger)
{
    private readonly Dictionary<string, string> _applied = new(StringComparer.Ordinal);

    /// <summary>Applies every file whose content changed since the last call; returns the number of files applied.</summary>
    public int ApplyChanged()
    {
        var count = 0;
        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue; // Being written; the next pass picks it up.
            }

            var hash = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
            if (_applied.TryGetValue(file, out var previous) && previous == hash)
            {
                continue;
            }

            _applied[file] = hash;
            count++;
            ApplyFile(file, text);
        }

        return count;
    }

    private void ApplyFile(string file, string text)
    {
        List<JsonObject> documents;
        try
        {
            documents = Yaml.ReadDocuments(text);
        }
        catch (FormatException e)
        {
            LogManifestFailed(logger, Path.GetFileName(file), e.Message);
            return;
        }

        foreach (var document in documents)
        {
            var apiVersion = Json.Str(document["apiVersion"]) ?? "";
            var kindName = Json.Str(document["kind"]) ?? "";
            var kind = ResourceCatalog.FindByKind(apiVersion, kindName);
            if (kind is null)
            {
                LogManifestFailed(logger, Path.GetFileName(file), $"{apiVersion} {kindName} is not served by the simulator");
                continue;
            }

            var ns = kind.Namespaced ? (Json.Namespace(document) is { Length: > 0 } own ? own : "kube-system") : null;
            try
            {
                Apply(kind, ns, document);
                LogApplied(logger, Path.GetFileName(file), kind.Kind, Json.Name(document));
            }
            catch (KubeApiException e)
            {
                LogManifestFailed(logger, Path.GetFileName(file), e.Message);
            }
        }
    }

    private void Apply(ResourceKind kind, string? ns, JsonObject document)
    {
        var name = Json.Name(document);
        if (store.Get(kind, ns, name) is null)
        {
            store.Create(kind, ns, document);
            return;
        }

        store.Update(kind, ns, name, current =>
        {
            var next = (JsonObject)document.DeepClone();
            Json.Metadata(next).Remove("resourceVersion");
            next["status"] = current["status"]?.DeepClone();
            return next;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "manifest {File}: applied {Kind} {Name}")]
    private static partial void LogApplied(ILogger logger, string file, string kind, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "manifest {File} not applied: {Reason}")]
    private static partial void LogManifestFailed(ILogger logger, string file, string reason);
}
