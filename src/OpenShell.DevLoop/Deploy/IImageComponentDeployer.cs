using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Components;

namespace OpenShell.DevLoop.Deploy;

/// <summary>Builds, pushes and rolls out an <see cref="ComponentKind.Image"/> component (Docker and Kubernetes behind it; a fake in tests).</summary>
internal interface IImageComponentDeployer
{
    /// <summary>The repository the component's image is pushed to (<c>127.0.0.1:5000/openshell/gateway</c>).</summary>
    string RepositoryOf(ComponentDefinition component);

    /// <summary>Publishes the component's project and builds its image; returns the tag built. Runs inside its <see cref="DeployStep.Builds"/> step.</summary>
    Task<string> BuildAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct);

    /// <summary>Pushes the built image and returns it with its digest. Runs inside its <see cref="DeployStep.ImagePush"/> step.</summary>
    Task<GatewayImage> PushAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct);

    /// <summary>
    /// Whether the registry still holds the component's image built from <paramref name="fingerprint"/> under the tag a push
    /// gives it: false when it does not (a registry that lost its volume), null when the registry cannot be asked.
    /// </summary>
    Task<bool?> RegistryHoldsAsync(ComponentDefinition component, string fingerprint, CancellationToken ct);

    /// <summary>The image the component's StatefulSet runs now, or null when there is none.</summary>
    Task<string?> ReadRunningImageAsync(ComponentDefinition component, DeployTarget target, CancellationToken ct);

    /// <summary>Waits until the component's StatefulSet runs <paramref name="image"/>. Runs inside its <see cref="DeployStep.GatewayRollout"/> step.</summary>
    Task WaitForRolloutAsync(ComponentDefinition component, string image, DeployTarget target, DeployRun run, CancellationToken ct);
}
