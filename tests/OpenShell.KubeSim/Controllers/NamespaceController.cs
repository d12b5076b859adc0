using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>Gives every new namespace its <c>default</c> ServiceAccount and <c>kube-root-ca.crt</c> ConfigMap, as kube-controller-manager does.</summary>
internal sealed class NamespaceController(ObjectStore store, string authorityPem) : IController
{
    public void OnChange(StoredEvent change)
    {
        if (change.Kind != ResourceCatalog.Namespaces || change.Type != StoredEvent.Added)
        {
            return;
        }

        var ns = change.Name;
        TryCreate(ResourceCatalog.ServiceAccounts, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } });
        TryCreate(ResourceCatalog.ConfigMaps, ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "kube-root-ca.crt" },
            ["data"] = new JsonObject { ["ca.crt"] = authorityPem },
        });
    }

    private void TryCreate(ResourceKind kind, string ns, JsonObject obj)
    {
        try
        {
            store.Create(kind, ns, obj);
        }
        catch (KubeApiException e) when (e.Code is 404 or 409)
        {
            // The namespace is already gone, or the object was created by someone else first.
        }
    }
}
