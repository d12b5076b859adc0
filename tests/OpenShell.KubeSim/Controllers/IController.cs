using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>A controller reacts to store changes; it must return quickly and do slow work in the background.</summary>
internal interface IController
{
    void OnChange(StoredEvent change);
}
