namespace OpenShell.DevLoop.Session;

/// <summary>What the cluster runs for each component, read back from it, by component name.</summary>
/// <param name="Components">What was found; a component missing here could not be read.</param>
internal sealed record DeployedState(IReadOnlyDictionary<string, ObservedComponent> Components)
{
    /// <summary>Nothing known.</summary>
    public static DeployedState Unknown { get; } = new(new Dictionary<string, ObservedComponent>(StringComparer.Ordinal));

    /// <summary>What was found for <paramref name="component"/>, or an empty observation.</summary>
    public ObservedComponent Of(string component) => Components.GetValueOrDefault(component) ?? ObservedComponent.None;
}
